import Link from "next/link";
import { h1Class, linkClass } from "@/components/ui/styles";

export default function Forbidden() {
  return (
    <div className="space-y-4" data-testid="forbidden">
      <h1 className={h1Class}>You do not have access to this page</h1>
      <p>Your account does not have the role this page needs. If you think it should, ask an administrator.</p>
      <p>
        <Link href="/" className={linkClass}>
          Go to the home page
        </Link>
      </p>
    </div>
  );
}
