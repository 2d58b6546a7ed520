"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { currentSignInPolicy } from "@/lib/auth/config";
import { currentSessionId, guardedAction } from "@/lib/auth/guards";
import { confirmMfaEnrolment, disableOwnMfa, regenerateRecoveryCodes, startMfaEnrolment } from "@/lib/auth/mfa";
import { disableMfaForm, mfaCodeForm } from "@/lib/auth/mfa-schemas";
import { clientAddressOf } from "@/lib/server/client-address";

// Two-step sign-in on the profile page: each person manages only their own factor.

export const startMfaEnrolmentAction = guardedAction({}, z.object({}), async ({ actor, db }) => {
  await startMfaEnrolment({ actor, db });
  revalidatePath("/profile");
  return {};
});

export const confirmMfaEnrolmentAction = guardedAction({}, mfaCodeForm, async ({ input, actor, db }) => {
  const result = await confirmMfaEnrolment(
    { actor, db },
    // This session has just proved the factor; the person's other sessions will be asked for a code.
    { code: input.code, address: clientAddressOf(await headers()), sessionId: await currentSessionId() },
    currentSignInPolicy(),
  );
  // The codes go back in this answer only; the page must not render the set-up again.
  return result;
});

export const regenerateRecoveryCodesAction = guardedAction({}, mfaCodeForm, async ({ input, actor, db }) => {
  const result = await regenerateRecoveryCodes(
    { actor, db },
    { code: input.code, address: clientAddressOf(await headers()) },
    currentSignInPolicy(),
  );
  return result;
});

export const disableMfaAction = guardedAction({}, disableMfaForm, async ({ input, actor, db }) => {
  await disableOwnMfa({ actor, db }, { ...input, address: clientAddressOf(await headers()) }, currentSignInPolicy());
  revalidatePath("/profile");
  return {};
});
