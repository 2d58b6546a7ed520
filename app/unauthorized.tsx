import { h1Class } from "@/components/ui/styles";
import { TextLink } from "@/components/ui/text-link";

export default function Unauthorized() {
  return (
    <div className="space-y-4" data-testid="unauthorized">
      <h1 className={h1Class}>Please sign in</h1>
      <p>Your session has ended or you are not signed in.</p>
      <p>
        <TextLink href="/login">Sign in</TextLink>
      </p>
    </div>
  );
}
