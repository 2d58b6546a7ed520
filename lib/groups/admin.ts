import "server-only";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/queries/errors";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroupById,
  getGroupByName,
  listGroupMembers,
  removeGroupMember,
} from "@/db/queries/groups";
import { AppError } from "@/lib/errors";
import { requireUserByEmail } from "@/lib/users/admin";
import type { createGroupSchema } from "@/lib/users/schemas";

export async function addGroup(db: Database, input: z.infer<typeof createGroupSchema>) {
  try {
    return await createGroup(db, input);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `A group named "${input.name}" already exists.`, { cause: err });
    throw err;
  }
}

export async function requireGroup(db: Database, id: string) {
  const group = await getGroupById(db, { id });
  if (!group) throw new AppError("not_found", "No group with this id.");
  return group;
}

export async function requireGroupByName(db: Database, name: string) {
  const group = await getGroupByName(db, { name });
  if (!group) throw new AppError("not_found", `No group named "${name}".`);
  return group;
}

export async function getGroupWithMembers(db: Database, id: string) {
  const group = await requireGroup(db, id);
  const members = await listGroupMembers(db, { groupId: id });
  return { ...group, members };
}

export async function addMemberByEmail(db: Database, { groupId, email }: { groupId: string; email: string }) {
  const group = await requireGroup(db, groupId);
  const user = await requireUserByEmail(db, email);
  const added = await addGroupMember(db, { groupId, userId: user.id });
  return { group, user, added };
}

export async function removeMember(db: Database, { groupId, userId }: { groupId: string; userId: string }) {
  await requireGroup(db, groupId);
  const removed = await removeGroupMember(db, { groupId, userId });
  if (!removed) throw new AppError("not_found", "That user is not a member of this group.");
}

/** Deletes a group; refused while it restricts documents, which would otherwise open up to everyone. */
export async function removeGroup(db: Database, id: string) {
  const group = await requireGroup(db, id);
  try {
    await deleteGroup(db, { id });
  } catch (err) {
    if (isForeignKeyViolation(err)) {
      throw new AppError("conflict", `The group "${group.name}" restricts documents; lift those restrictions before deleting it.`, { cause: err });
    }
    throw err;
  }
}
