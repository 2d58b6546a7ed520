import "server-only";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/queries/errors";
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  getGroupById,
  getGroupByName,
  listGroupMembers,
  listGroups,
  removeGroupMember,
} from "@/db/queries/groups";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { requireUserByEmail } from "@/lib/users/admin";
import type { createGroupSchema } from "@/lib/users/schemas";

// Groups and their members are for administrators; each verb checks that itself.

export async function addGroup(ctx: ServiceContext, input: z.infer<typeof createGroupSchema>) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "create groups");
  try {
    return await db.transaction(async (tx) => {
      const group = await createGroup(tx, input);
      await appendAudit(tx, {
        type: "group.created",
        ...auditBy(by),
        payload: { via: by.via, groupId: group.id, name: group.name, description: group.description },
      });
      return group;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", `A group named "${input.name}" already exists.`, { cause: err });
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

export async function listAllGroups(db: Database) {
  return listGroups(db);
}

/** The group and its members, or null when there is no such group. */
export async function findGroupWithMembers(db: Database, id: string) {
  const group = await getGroupById(db, { id });
  return group ? { ...group, members: await listGroupMembers(db, { groupId: id }) } : null;
}

export async function getGroupWithMembers(db: Database, id: string) {
  const group = await requireGroup(db, id);
  const members = await listGroupMembers(db, { groupId: id });
  return { ...group, members };
}

export async function addMemberByEmail(ctx: ServiceContext, { groupId, email }: { groupId: string; email: string }) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "add members to groups");
  const group = await requireGroup(db, groupId);
  const user = await requireUserByEmail(db, email);
  const added = await db.transaction(async (tx) => {
    const isNew = await addGroupMember(tx, { groupId, userId: user.id });
    if (isNew) {
      await appendAudit(tx, {
        type: "group.member_added",
        ...auditBy(by),
        subject: { userId: user.id },
        payload: { via: by.via, groupId, group: group.name, email: user.email },
      });
    }
    return isNew;
  });
  return { group, user, added };
}

export async function removeMember(ctx: ServiceContext, { groupId, userId }: { groupId: string; userId: string }) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "remove members from groups");
  const group = await requireGroup(db, groupId);
  await db.transaction(async (tx) => {
    const removed = await removeGroupMember(tx, { groupId, userId });
    if (!removed) throw new AppError("not_found", "That user is not a member of this group.");
    const [member] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await appendAudit(tx, {
      type: "group.member_removed",
      ...auditBy(by),
      subject: { userId },
      payload: { via: by.via, groupId, group: group.name, email: member?.email ?? null },
    });
  });
}

/** Deletes a group; refused while it restricts documents, which would otherwise open up to everyone. */
export async function removeGroup(ctx: ServiceContext, id: string) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "delete groups");
  const group = await requireGroup(db, id);
  try {
    await db.transaction(async (tx) => {
      await deleteGroup(tx, { id });
      await appendAudit(tx, {
        type: "group.deleted",
        ...auditBy(by),
        payload: { via: by.via, groupId: id, name: group.name },
      });
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) {
      throw new AppError(
        "conflict",
        `The group "${group.name}" restricts documents; lift those restrictions before deleting it.`,
        { cause: err },
      );
    }
    throw err;
  }
}
