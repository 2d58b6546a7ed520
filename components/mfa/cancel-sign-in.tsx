import { signOutAction } from "@/app/login/actions";
import { secondaryButtonClass } from "@/components/ui/styles";

/** Leaves a half-finished sign-in: ends its session, as signing out does. */
export function CancelSignIn() {
  return (
    <form action={signOutAction} className="border-t border-gray-300 dark:border-gray-700 pt-4">
      <button type="submit" className={secondaryButtonClass} data-testid="cancel-sign-in">
        Cancel and sign out
      </button>
    </form>
  );
}
