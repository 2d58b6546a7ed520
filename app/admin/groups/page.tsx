import type { Metadata } from "next";
import Link from "next/link";
import { CreateGroupForm } from "@/components/admin/create-group-form";
import { h1Class, h2Class, linkClass, sectionClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { listAllGroups } from "@/lib/groups/admin";

export const metadata: Metadata = { title: "Groups" };

export default async function GroupsPage() {
  await requireRole("admin");
  const groups = await listAllGroups(await getDb());

  return (
    <div>
      <h1 className={h1Class}>Groups</h1>

      <section aria-labelledby="groups-heading" className={sectionClass}>
        <h2 id="groups-heading" className={h2Class}>
          All groups ({groups.length})
        </h2>
        {groups.length === 0 ? (
          <p className="text-sm" data-testid="groups-empty">
            There are no groups yet. Create one below.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className={tableClass} data-testid="groups-table">
              <thead>
                <tr>
                  <th scope="col" className={thClass}>
                    Name
                  </th>
                  <th scope="col" className={thClass}>
                    Description
                  </th>
                  <th scope="col" className={`${thClass} text-right`}>
                    Members
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.map((group) => (
                  <tr key={group.id} data-testid={`group-row-${group.name}`}>
                    <th scope="row" className={`${tdClass} font-normal`}>
                      <Link href={`/admin/groups/${group.id}`} className={linkClass}>
                        {group.name}
                      </Link>
                    </th>
                    <td className={tdClass}>
                      {group.description || <span className="text-gray-600">No description</span>}
                    </td>
                    <td className={`${tdClass} text-right`} data-testid="group-member-count">
                      {group.memberCount}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="create-group-heading" className={sectionClass}>
        <h2 id="create-group-heading" className={h2Class}>
          Create a group
        </h2>
        <CreateGroupForm />
      </section>
    </div>
  );
}
