import Link from "next/link";
import { h1Class, linkClass } from "@/components/ui/styles";

export default function Unauthorized() {
  return (
    <div className="space-y-4" data-testid="unauthorized">
      <h1 className={h1Class}>Please sign in</h1>
      <p>Your session has ended or you are not signed in.</p>
      <p>
        <Link href="/login" className={linkClass}>
          Sign in
        </Link>
      </p>
    </div>
  );
}
