import { z } from "zod";
import { ROLES } from "@/db/schema/users";

export { ROLES };
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";

// Input shapes shared by the HTTP API, the admin pages' server actions and the CLI.

export const roleSchema = z.enum(ROLES, { error: () => `Role must be one of: ${ROLES.join(", ")}.` });

export const emailSchema = z
  .string({ error: "Email is required." })
  .trim()
  .toLowerCase()
  .max(320, "Email is too long.")
  .pipe(z.email("Enter a valid email address."));

/**
 * An email typed at sign-in. Checked before it is looked up, throttled or written to the audit
 * trail, so a sign-in form (or a direct POST to the credentials callback) cannot record any string.
 */
export const loginEmailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address.")
  .max(320, "Email is too long.")
  .pipe(z.email("Enter a valid email address, such as name@example.org."));

export const nameSchema = z
  .string({ error: "Name is required." })
  .trim()
  .min(1, "Name is required.")
  .max(200, "Name is too long.");

export const passwordSchema = z
  .string({ error: "Password is required." })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters.`);

/** A new password typed twice; the strength check runs on the server (lib/auth/password-strength.ts). */
export const newPasswordFields = {
  newPassword: passwordSchema,
  confirmPassword: z.string({ error: "Type the new password again." }),
};

export const passwordsMatch = {
  check: (v: { newPassword: string; confirmPassword: string }) => v.newPassword === v.confirmPassword,
  params: { path: ["confirmPassword"], message: "The two new passwords differ. Type the same one twice." },
};

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "Enter your current password." }).min(1, "Enter your current password."),
    ...newPasswordFields,
  })
  .refine(passwordsMatch.check, passwordsMatch.params);

export const replacePasswordSchema = z.object(newPasswordFields).refine(passwordsMatch.check, passwordsMatch.params);

export const rolesSchema = z
  .array(roleSchema)
  .min(1, "Give the user at least one role.")
  .transform((r) => [...new Set(r)].sort());

export const createUserSchema = z.object({
  email: emailSchema,
  name: nameSchema,
  roles: rolesSchema.default(["employee"]),
  password: passwordSchema,
});

export const updateUserSchema = z
  .object({
    roles: rolesSchema.optional(),
    disabled: z.boolean({ error: "disabled must be true or false." }).optional(),
    name: nameSchema.optional(),
  })
  .strict()
  .refine((v) => v.roles !== undefined || v.disabled !== undefined || v.name !== undefined, {
    message: "Nothing to change: send roles, disabled or name.",
  });

export const groupNameSchema = z
  .string({ error: "Group name is required." })
  .trim()
  .min(1, "Group name is required.")
  .max(100, "Group name must be at most 100 characters.")
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u,
    "Group name may hold letters, digits, spaces, '.', '_' and '-', and must start with a letter or digit.",
  );

export const createGroupSchema = z.object({
  name: groupNameSchema,
  description: z.string().trim().max(1000, "Description must be at most 1000 characters.").default(""),
});

export const addMemberSchema = z.object({ email: emailSchema });

export const apiKeyNameSchema = z
  .string()
  .trim()
  .min(1, "Give the key a name, such as the tool that will use it.")
  .max(100, "Key name must be at most 100 characters.");

export const uuidSchema = z.uuid();
