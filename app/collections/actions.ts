"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { guardedAction } from "@/lib/auth/guards";
import { addCollection } from "@/lib/collections/admin";
import { createCollectionSchema } from "@/lib/collections/schemas";

// A new collection is empty and nobody but administrators can see it; the admin lands on its
// page, where the upload area and the grants panel are.
export const createCollectionAction = guardedAction(
  { roles: "admin" },
  createCollectionSchema,
  async ({ input, actor, db }) => {
    const { id } = await addCollection({ actor, db }, input);
    revalidatePath("/collections");
    redirect(`/collections/${id}`);
  },
);
