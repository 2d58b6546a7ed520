import { h1Class } from "@/components/ui/styles";
import { TextLink } from "@/components/ui/text-link";

export default function Forbidden() {
  return (
    <div className="space-y-4" data-testid="forbidden">
      <h1 className={h1Class}>You do not have access to this page</h1>
      <p>
        Your account does not have the role or the access this page needs. If you think it should, ask an administrator.
      </p>
      <p>
        <TextLink href="/">Go to the home page</TextLink>
      </p>
    </div>
  );
}
