"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { guardedAction } from "@/lib/auth/guards";
import { addCollection } from "@/lib/collections/admin";
import { createCollectionSchema, readerSchema } from "@/lib/collections/schemas";
import { formArray } from "@/lib/form-fields";

// The form's reader checkboxes send "role:<role>" or "group:<group name>".
const readerField = z.string().transform((value, ctx) => {
  const at = value.indexOf(":");
  const kind = value.slice(0, at);
  const name = value.slice(at + 1);
  const parsed = readerSchema.safeParse(kind === "role" ? { role: name } : kind === "group" ? { group: name } : null);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: "custom", message: `"${value}" is not a role or a group that can be given access.` });
  return z.NEVER;
});

const createCollectionForm = createCollectionSchema.extend({ readers: formArray(z.array(readerField).max(50)) });

// The admin lands on the new collection's page, where the upload area and the grants panel are.
// Readers chosen in the form are granted with the collection; without any, only administrators
// see it, and they manage it without reading it.
export const createCollectionAction = guardedAction(
  { roles: "admin" },
  createCollectionForm,
  async ({ input, actor, db }) => {
    const { id } = await addCollection({ actor, db }, input);
    revalidatePath("/collections");
    redirect(`/collections/${id}`);
  },
);
