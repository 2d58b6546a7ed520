import "server-only";
import { asc, eq, and, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { groupMembers, groups, users } from "../schema";
import { publicUserColumns, type PublicUser } from "./users";

export interface GroupSummary {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  createdAt: Date;
}

export async function listGroups(db: Executor): Promise<GroupSummary[]> {
  return db
    .select({
      id: groups.id,
      name: groups.name,
      description: groups.description,
      createdAt: groups.createdAt,
      memberCount: sql<number>`(select count(*)::int from "group_members" m where m.group_id = "groups"."id")`,
    })
    .from(groups)
    .orderBy(asc(groups.name));
}

export async function getGroupById(db: Executor, { id }: { id: string }) {
  const [row] = await db.select().from(groups).where(eq(groups.id, id));
  return row ?? null;
}

export async function getGroupByName(db: Executor, { name }: { name: string }) {
  const [row] = await db.select().from(groups).where(eq(groups.name, name));
  return row ?? null;
}

export async function createGroup(db: Executor, { name, description }: { name: string; description?: string }) {
  const [row] = await db
    .insert(groups)
    .values({ name, description: description ?? "" })
    .returning();
  if (!row) throw new Error("insert into groups returned no row");
  return row;
}

export async function deleteGroup(db: Executor, { id }: { id: string }): Promise<boolean> {
  const rows = await db.delete(groups).where(eq(groups.id, id)).returning({ id: groups.id });
  return rows.length > 0;
}

export async function listGroupMembers(
  db: Executor,
  { groupId }: { groupId: string },
): Promise<(PublicUser & { addedAt: Date })[]> {
  return db
    .select({ ...publicUserColumns, addedAt: groupMembers.addedAt })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.groupId, groupId))
    .orderBy(asc(users.email));
}

/** Returns false when the user was already a member. */
export async function addGroupMember(
  db: Executor,
  { groupId, userId }: { groupId: string; userId: string },
): Promise<boolean> {
  const rows = await db
    .insert(groupMembers)
    .values({ groupId, userId })
    .onConflictDoNothing()
    .returning({ userId: groupMembers.userId });
  return rows.length > 0;
}

export async function removeGroupMember(
  db: Executor,
  { groupId, userId }: { groupId: string; userId: string },
): Promise<boolean> {
  const rows = await db
    .delete(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
    .returning({ userId: groupMembers.userId });
  return rows.length > 0;
}
