"use server";

import { headers } from "next/headers";
import { currentSignInPolicy } from "@/lib/auth/config";
import { pendingStepAction } from "@/lib/auth/guards";
import { confirmMfaEnrolment } from "@/lib/auth/mfa";
import { mfaCodeForm } from "@/lib/auth/mfa-schemas";
import { clientAddressOf } from "@/lib/server/client-address";

// A role that requires a second factor: this session sets one up before it may do anything else.
export const confirmRequiredEnrolmentAction = pendingStepAction(
  "enrol_mfa",
  mfaCodeForm,
  async ({ input, state, db }) => {
    const result = await confirmMfaEnrolment(
      { actor: { id: state.userId, email: state.email }, db },
      { code: input.code, address: clientAddressOf(await headers()), sessionId: state.sessionId },
      currentSignInPolicy(),
    );
    // The only time the codes leave the server; only their digests are stored. Nothing is
    // revalidated: this page would then leave for home before the codes were read.
    return result;
  },
);
