import { Secret, TOTP } from "otpauth";

/** The authenticator app a person would set up from the key the profile page shows. */
export function totpOf(shownKey: string) {
  return new TOTP({
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(shownKey.replace(/\s+/g, "")),
  });
}
