"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { requireCollectionById } from "@/lib/collections/listing";
import { guardedAction } from "@/lib/auth/guards";
import {
  addGrant,
  changeCollection,
  changeCollectionPolicy,
  removeCollection,
  removeGrant,
} from "@/lib/collections/admin";
import {
  accessSchema,
  collectionNameSchema,
  descriptionSchema,
  grantSchema,
  restrictionSchema,
} from "@/lib/collections/schemas";
import { deleteDocument, requireActiveDocument, restrictDocument } from "@/lib/documents/manage";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { formArray } from "@/lib/form-fields";
import { INJECTION_POLICIES, PII_POLICIES } from "@/lib/privacy/policy";
import { PII_TYPES } from "@/lib/privacy/pii-types";
import { MAX_REVIEW_NOTE, reviewQuarantinedVersion } from "@/lib/privacy/review";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";

// The collection page's forms. Collection settings and grants are for administrators;
// document actions are for whoever may manage the collection, checked against the document's
// own collection (never a collection id sent by the form).

function revalidateCollection(collectionId: string) {
  revalidatePath(`/collections/${collectionId}`);
  revalidatePath("/collections");
}

async function requireExistingCollection(db: Executor, id: string) {
  return requireCollectionById(db, id, "This collection no longer exists.");
}

const editForm = z.object({
  collectionId: uuidSchema,
  name: collectionNameSchema,
  description: descriptionSchema.default(""),
});

export const updateCollectionAction = guardedAction({ roles: "admin" }, editForm, async ({ input, actor, db }) => {
  const updated = await changeCollection({ actor, db }, input.collectionId, {
    name: input.name,
    description: input.description,
  });
  revalidateCollection(input.collectionId);
  return { name: updated?.name ?? input.name };
});

const deleteForm = z.object({ collectionId: uuidSchema, confirm: z.string().default("") });

export const deleteCollectionAction = guardedAction({ roles: "admin" }, deleteForm, async ({ input, actor, db }) => {
  const collection = await requireExistingCollection(db, input.collectionId);
  if (input.confirm !== collection.name) {
    // The library's own message speaks to API callers; a person needs to know what to type.
    throw new AppError(
      "invalid_request",
      `Type the collection's name exactly as shown ("${collection.name}") to delete it.`,
    );
  }
  await removeCollection(
    { actor, db },
    {
      id: collection.id,
      confirm: input.confirm,
      dataDir: env().dataDir,
      chunks: await getChunkIndex(),
    },
  );
  revalidatePath("/collections");
  redirect("/collections");
});

// One select names the grantee as "role:<role>" or "group:<group name>".
const granteeSchema = z
  .string({ error: "Choose a role or a group." })
  .regex(/^(role|group):.+$/, "Choose a role or a group.")
  .transform((value) => {
    const at = value.indexOf(":");
    return { kind: value.slice(0, at) as "role" | "group", name: value.slice(at + 1) };
  });

const addGrantForm = z.object({ collectionId: uuidSchema, grantee: granteeSchema, access: accessSchema });

export const addGrantAction = guardedAction({ roles: "admin" }, addGrantForm, async ({ input, actor, db }) => {
  const grant = grantSchema.parse(
    input.grantee.kind === "role"
      ? { role: input.grantee.name, access: input.access }
      : { group: input.grantee.name, access: input.access },
  );
  await addGrant({ actor, db }, input.collectionId, grant);
  revalidateCollection(input.collectionId);
  return { grantee: input.grantee, access: input.access };
});

const removeGrantForm = z.object({ collectionId: uuidSchema, grantId: uuidSchema });

export const removeGrantAction = guardedAction({ roles: "admin" }, removeGrantForm, async ({ input, actor, db }) => {
  await removeGrant({ actor, db }, input.collectionId, input.grantId);
  revalidateCollection(input.collectionId);
  return { grantId: input.grantId };
});

const restrictForm = z.object({
  documentId: uuidSchema,
  restrictedTo: formArray(restrictionSchema.shape.restrictedTo),
});

export const restrictDocumentAction = guardedAction({}, restrictForm, async ({ input, actor, db }) => {
  const groups = await restrictDocument({ actor, db }, await getChunkIndex(), {
    documentId: input.documentId,
    restrictedTo: input.restrictedTo,
  });
  // Only after the verb allowed it: which page to refresh.
  revalidateCollection((await requireActiveDocument(db, input.documentId)).collectionId);
  return { restrictedTo: groups.map((g) => g.name) };
});

const deleteDocumentForm = z.object({ documentId: uuidSchema });

export const deleteDocumentAction = guardedAction({}, deleteDocumentForm, async ({ input, actor, db }) => {
  const doc = await deleteDocument({ actor, db }, await getChunkIndex(), {
    documentId: input.documentId,
    dataDir: env().dataDir,
  });
  revalidateCollection(doc.collectionId);
  return { name: doc.name };
});

// The privacy policy: administrators and those who manage the collection (checked against the
// collection in the database, not the page that sent the form).
const policyForm = z.object({
  collectionId: uuidSchema,
  pii: z.enum(PII_POLICIES, { error: "Choose what to do with personal data." }),
  piiTypes: formArray(z.array(z.enum(PII_TYPES, { error: "Unknown kind of personal data." }))),
  injection: z.enum(INJECTION_POLICIES, { error: "Choose what to do with possible prompt injection." }),
  recheck: z.enum(["on"]).optional(),
});

export const updatePrivacyPolicyAction = guardedAction({}, policyForm, async ({ input, actor, db }) => {
  const { requeued } = await changeCollectionPolicy({ actor, db }, input.collectionId, {
    patch: { pii: input.pii, piiTypes: input.piiTypes, injection: input.injection },
    recheck: input.recheck === "on",
  });
  revalidateCollection(input.collectionId);
  return { requeued };
});

// Releasing a quarantined version is a security decision: administrators only, so whoever
// uploaded a document cannot also wave it through.
const reviewForm = z.object({
  versionId: uuidSchema,
  decision: z.enum(["release", "reject"], { error: "Choose release or reject." }),
  note: z.string().trim().max(MAX_REVIEW_NOTE, `The note may be at most ${MAX_REVIEW_NOTE} characters.`).default(""),
});

export const reviewVersionAction = guardedAction({ roles: "admin" }, reviewForm, async ({ input, actor, db }) => {
  const outcome = await reviewQuarantinedVersion(
    { actor, db },
    {
      versionId: input.versionId,
      decision: input.decision,
      note: input.note,
    },
  );
  revalidateCollection(outcome.collectionId);
  return { decision: input.decision };
});
