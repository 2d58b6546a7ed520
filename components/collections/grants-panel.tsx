import type { grantsJson } from "@/lib/collections/admin";
import type { Role } from "@/db/schema";
import { DateTime } from "@/components/ui/date-time";
import { AddGrantForm } from "./add-grant-form";
import { RemoveGrantButton } from "./remove-grant-button";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";

type Grant = Awaited<ReturnType<typeof grantsJson>>[number];

function grantee(g: Grant): { label: string; key: string } {
  if ("group" in g) return { label: `Group: ${g.group.name}`, key: `group-${g.group.name}` };
  return { label: `Role: ${g.role}`, key: `role-${g.role}` };
}

/** Who may read or manage the collection. Administrators need a grant too before answers draw on it. */
export function GrantsPanel({
  collectionId,
  grants,
  roles,
  groups,
}: {
  collectionId: string;
  grants: Grant[];
  roles: readonly Role[];
  groups: string[];
}) {
  return (
    <div className="space-y-4" data-testid="grants-panel">
      {grants.length === 0 ? (
        <p className="text-sm" data-testid="grants-empty">
          Nobody has access yet. Grant a role or a group below; until then only administrators see the collection, and
          no answers draw on it.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <Table data-testid="grants-table">
            <thead>
              <tr>
                <Th>Who</Th>
                <Th>Access</Th>
                <Th>Since</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const who = grantee(g);
                return (
                  <tr key={g.id} data-testid={`grant-row-${who.key}`}>
                    <RowHeader>{who.label}</RowHeader>
                    <Td data-testid="grant-access">{g.access === "manage" ? "Manage" : "Read"}</Td>
                    <Td>
                      <DateTime value={g.createdAt} />
                    </Td>
                    <Td>
                      <RemoveGrantButton
                        collectionId={collectionId}
                        grantId={g.id}
                        grantee={who.label}
                        testId={`grant-remove-${who.key}`}
                      />
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </div>
      )}
      <AddGrantForm collectionId={collectionId} roles={roles} groups={groups} />
    </div>
  );
}
