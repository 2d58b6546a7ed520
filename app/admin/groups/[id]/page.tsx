import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AddMemberForm } from "@/components/admin/add-member-form";
import { RemoveMemberButton } from "@/components/admin/remove-member-button";
import { StatusBadge } from "@/components/admin/status-badge";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { findGroupWithMembers } from "@/lib/groups/admin";
import { uuidSchema } from "@/lib/users/schemas";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Group" };

export default async function GroupPage({ params }: { params: Promise<{ id: string }> }) {
  await requireRole("admin");
  const id = uuidSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const db = await getDb();
  const group = await findGroupWithMembers(db, id.data);
  if (!group) notFound();
  const { members } = group;

  return (
    <div>
      <p className="text-sm">
        <TextLink href="/admin/groups">← All groups</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="group-heading">
        {group.name}
      </h1>
      {group.description ? <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">{group.description}</p> : null}

      <section aria-labelledby="members-heading" className={sectionClass}>
        <h2 id="members-heading" className={h2Class}>
          Members ({members.length})
        </h2>
        {members.length === 0 ? (
          <p className="text-sm" data-testid="members-empty">
            This group has no members yet.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="members-table">
              <thead>
                <tr>
                  <Th>Email</Th>
                  <Th>Name</Th>
                  <Th>Status</Th>
                  <Th>Added</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.id} data-testid={`member-row-${member.email}`}>
                    <RowHeader>
                      <TextLink href={`/admin/users/${member.id}`}>{member.email}</TextLink>
                    </RowHeader>
                    <Td>{member.name}</Td>
                    <Td>
                      <StatusBadge disabled={member.disabled} />
                    </Td>
                    <Td>
                      <DateTime value={member.addedAt} />
                    </Td>
                    <Td>
                      <RemoveMemberButton groupId={group.id} userId={member.id} email={member.email} />
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
      </section>

      <section aria-labelledby="add-member-heading" className={sectionClass}>
        <h2 id="add-member-heading" className={h2Class}>
          Add a member
        </h2>
        <AddMemberForm groupId={group.id} />
      </section>
    </div>
  );
}
