import { h1Class } from "@/components/ui/styles";
import { TextLink } from "@/components/ui/text-link";

export default function NotFound() {
  return (
    <div className="space-y-4" data-testid="not-found">
      <h1 className={h1Class}>Page not found</h1>
      <p>There is nothing at this address. It may have been removed, or the link may be wrong.</p>
      <p>
        <TextLink href="/">Go to the home page</TextLink>
      </p>
    </div>
  );
}
