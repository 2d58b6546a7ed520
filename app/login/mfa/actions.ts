"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentSignInPolicy } from "@/lib/auth/config";
import { pendingStepAction } from "@/lib/auth/guards";
import { passSecondFactor } from "@/lib/auth/mfa";
import { mfaCodeForm } from "@/lib/auth/mfa-schemas";
import { clientAddressOf } from "@/lib/server/client-address";

// Open only to a session that has passed the password and owes its second factor.
export const passSecondFactorAction = pendingStepAction("mfa", mfaCodeForm, async ({ input, state, db }) => {
  const passed = await passSecondFactor(
    { actor: { id: state.userId, email: state.email }, db },
    { code: input.code, address: clientAddressOf(await headers()), sessionId: state.sessionId },
    currentSignInPolicy(),
  );
  // The header (a layout) shows the person as signed in once the layout renders again.
  revalidatePath("/", "layout");
  // After a recovery code, the profile says how many are left and where to make new ones.
  redirect(passed.method === "recovery_code" ? "/profile?notice=recovery_code_used" : "/");
});
