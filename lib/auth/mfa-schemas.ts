import { z } from "zod";

// Form input of the two-step sign-in forms. A code is the app's six digits or a recovery code;
// which one it is decides lib/auth/second-factor.ts.

export const mfaCodeSchema = z
  .string({ error: "Enter the code." })
  .trim()
  .min(1, "Enter the code.")
  .max(64, "That is too long to be a code.");

export const mfaCodeForm = z.object({ code: mfaCodeSchema });

export const disableMfaForm = z.object({
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  code: mfaCodeSchema,
});
