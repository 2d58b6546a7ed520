import Link from "next/link";
import { h1Class, linkClass } from "@/components/ui/styles";

export default function NotFound() {
  return (
    <div className="space-y-4" data-testid="not-found">
      <h1 className={h1Class}>Page not found</h1>
      <p>There is nothing at this address. It may have been removed, or the link may be wrong.</p>
      <p>
        <Link href="/" className={linkClass}>
          Go to the home page
        </Link>
      </p>
    </div>
  );
}
