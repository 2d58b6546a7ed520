import type { SignInPolicy } from "@/lib/auth/credentials";

/** The default sign-in throttle (see lib/env.ts), for tests that sign in through checkCredentials. */
export const TEST_SIGN_IN_POLICY: SignInPolicy = {
  freeFailures: 5,
  accountFreeFailures: 20,
  addressFreeFailures: 50,
  maxDelaySeconds: 900,
  auditWindowMinutes: 15,
  deviceSecret: "device-cookie-secret-for-tests-0123456789",
};
