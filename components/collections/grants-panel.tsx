import type { grantsJson } from "@/lib/collections/admin";
import type { Role } from "@/db/schema";
import { DateTime } from "@/components/ui/date-time";
import { tableClass, tdClass, thClass } from "@/components/ui/styles";
import { AddGrantForm } from "./add-grant-form";
import { RemoveGrantButton } from "./remove-grant-button";

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
          <table className={tableClass} data-testid="grants-table">
            <thead>
              <tr>
                <th scope="col" className={thClass}>
                  Who
                </th>
                <th scope="col" className={thClass}>
                  Access
                </th>
                <th scope="col" className={thClass}>
                  Since
                </th>
                <th scope="col" className={thClass}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => {
                const who = grantee(g);
                return (
                  <tr key={g.id} data-testid={`grant-row-${who.key}`}>
                    <th scope="row" className={`${tdClass} font-normal`}>
                      {who.label}
                    </th>
                    <td className={tdClass} data-testid="grant-access">
                      {g.access === "manage" ? "Manage" : "Read"}
                    </td>
                    <td className={tdClass}>
                      <DateTime value={g.createdAt} />
                    </td>
                    <td className={tdClass}>
                      <RemoveGrantButton
                        collectionId={collectionId}
                        grantId={g.id}
                        grantee={who.label}
                        testId={`grant-remove-${who.key}`}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <AddGrantForm collectionId={collectionId} roles={roles} groups={groups} />
    </div>
  );
}
