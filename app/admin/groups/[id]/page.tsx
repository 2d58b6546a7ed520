import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AddMemberForm } from "@/components/admin/add-member-form";
import { RemoveMemberButton } from "@/components/admin/remove-member-button";
import { StatusBadge } from "@/components/admin/status-badge";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, linkClass, sectionClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { findGroupWithMembers } from "@/lib/groups/admin";
import { uuidSchema } from "@/lib/users/schemas";

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
        <Link href="/admin/groups" className={linkClass}>
          ← All groups
        </Link>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="group-heading">
        {group.name}
      </h1>
      {group.description ? <p className="mt-2 text-sm text-gray-800">{group.description}</p> : null}

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
            <table className={tableClass} data-testid="members-table">
              <thead>
                <tr>
                  <th scope="col" className={thClass}>
                    Email
                  </th>
                  <th scope="col" className={thClass}>
                    Name
                  </th>
                  <th scope="col" className={thClass}>
                    Status
                  </th>
                  <th scope="col" className={thClass}>
                    Added
                  </th>
                  <th scope="col" className={thClass}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.map((member) => (
                  <tr key={member.id} data-testid={`member-row-${member.email}`}>
                    <th scope="row" className={`${tdClass} font-normal`}>
                      <Link href={`/admin/users/${member.id}`} className={linkClass}>
                        {member.email}
                      </Link>
                    </th>
                    <td className={tdClass}>{member.name}</td>
                    <td className={tdClass}>
                      <StatusBadge disabled={member.disabled} />
                    </td>
                    <td className={tdClass}>
                      <DateTime value={member.addedAt} />
                    </td>
                    <td className={tdClass}>
                      <RemoveMemberButton groupId={group.id} userId={member.id} email={member.email} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
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
