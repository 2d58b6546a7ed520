import "server-only";
import { credentialFailureMessage } from "./credentials";

// What the login page says about a failed sign-in. Codes arrive in URLs, so they are mapped to
// fixed sentences and never echoed back.

export const SIGN_IN_FAILED = "Sign-in failed. Try again.";

/** For the `code` of a CredentialsSignin error: "invalid", "disabled" or "throttled_<seconds>". */
export function credentialsSignInMessage(code: string | undefined): string {
  if (code === "disabled") return credentialFailureMessage({ ok: false, reason: "disabled" });
  const throttled = /^throttled_(\d{1,6})$/.exec(code ?? "");
  if (throttled) {
    return credentialFailureMessage({ ok: false, reason: "throttled", retryAfterSeconds: Number(throttled[1]) });
  }
  // "invalid", and Auth.js's own default code, both mean the pair did not match.
  return credentialFailureMessage({ ok: false, reason: "invalid" });
}

/** For `/login?error=…`, set by Auth.js (its error type) or by our sign-in callback. */
export function signInErrorMessage(error: string, code?: string): string {
  switch (error) {
    case "disabled":
      return credentialFailureMessage({ ok: false, reason: "disabled" });
    case "sso_no_email":
      return "Your identity provider did not send an email address, so you cannot be signed in. Ask your administrator to release the email claim to this application.";
    case "sso_unverified_email":
      return "Your identity provider has not verified your email address, so it cannot be linked to the account with that address. Ask your administrator.";
    case "sso_local_account":
      return "An account with your email address signs in with a password here. Sign in with it; single sign-on cannot take it over.";
    case "sso_linked_elsewhere":
      return "The account with your email address is linked to another single sign-on identity. Ask your administrator.";
    case "CredentialsSignin":
      return credentialsSignInMessage(code);
    default:
      return SIGN_IN_FAILED;
  }
}

/** For `/login?notice=…`: what happened before the person was sent to sign in. */
export function signInNotice(notice: string | undefined): string | undefined {
  switch (notice) {
    case "password_changed":
      return "Your password is changed and every session of your account has ended. Sign in with the new password.";
    case "password_replaced":
      return "Your password is saved. Sign in with it.";
    default:
      return undefined;
  }
}
