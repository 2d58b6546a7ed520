import type { Metadata } from "next";
import { CreateGroupForm } from "@/components/admin/create-group-form";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { listAllGroups } from "@/lib/groups/admin";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

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
            <Table data-testid="groups-table">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Description</Th>
                  <Th className="text-right">Members</Th>
                </tr>
              </thead>
              <tbody>
                {groups.map((group) => (
                  <tr key={group.id} data-testid={`group-row-${group.name}`}>
                    <RowHeader>
                      <TextLink href={`/admin/groups/${group.id}`}>{group.name}</TextLink>
                    </RowHeader>
                    <Td>
                      {group.description || <span className="text-gray-600 dark:text-gray-400">No description</span>}
                    </Td>
                    <Td className="text-right" data-testid="group-member-count">
                      {group.memberCount}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
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
