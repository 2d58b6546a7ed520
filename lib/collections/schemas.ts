import { z } from "zod";
import { ACCESS_LEVELS } from "@/db/schema/collections";
import { privacyPolicyPatchSchema } from "@/lib/privacy/policy";
import { groupNameSchema, roleSchema } from "@/lib/users/schemas";

export const collectionNameSchema = z
  .string({ error: "Collection name is required." })
  .trim()
  .min(1, "Collection name is required.")
  .max(120, "Collection name must be at most 120 characters.")
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._()&,'-]*$/u,
    "Collection name may hold letters, digits, spaces and . _ ( ) & , ' -, and must start with a letter or digit.",
  );

export const descriptionSchema = z.string().trim().max(2000, "Description must be at most 2000 characters.");

/** Who may read a collection: everyone with a role, or the members of a group. */
export const readerSchema = z.union(
  [z.object({ role: roleSchema }).strict(), z.object({ group: groupNameSchema }).strict()],
  {
    error: () => 'A reader is { "role": "admin|compliance|employee" } or { "group": "<group name>" }.',
  },
);

export const createCollectionSchema = z.object({
  name: collectionNameSchema,
  description: descriptionSchema.default(""),
  // Read grants made with the collection, in the same transaction, so a first collection can be
  // readable from the moment it exists.
  readers: z.array(readerSchema).max(50, "At most 50 readers at once.").default([]),
});

export const updateCollectionSchema = z
  .object({ name: collectionNameSchema.optional(), description: descriptionSchema.optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.description !== undefined, {
    message: "Nothing to change: send name or description.",
  });

/** PATCH /api/collections/:id: name and description (administrators), privacy policy (managers too). */
export const collectionPatchSchema = z
  .object({
    name: collectionNameSchema.optional(),
    description: descriptionSchema.optional(),
    privacy: privacyPolicyPatchSchema.optional(),
    recheck: z.boolean({ error: "recheck must be true or false." }).default(false),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.description !== undefined || v.privacy !== undefined, {
    message: "Nothing to change: send name, description or privacy.",
  });

export const accessSchema = z.enum(ACCESS_LEVELS, {
  error: () => `access must be one of: ${ACCESS_LEVELS.join(", ")}.`,
});

export const grantSchema = z.union(
  [
    z.object({ group: groupNameSchema, access: accessSchema.default("read") }).strict(),
    z.object({ role: roleSchema, access: accessSchema.default("read") }).strict(),
  ],
  {
    error: () =>
      'Send { "group": "<group name>" } or { "role": "admin|compliance|employee" }, with "access": "read" or "manage".',
  },
);

export const restrictionSchema = z.object({
  restrictedTo: z
    .array(groupNameSchema)
    .max(100, "At most 100 groups.")
    .transform((names) => [...new Set(names)]),
});
