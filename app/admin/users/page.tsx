import type { Metadata } from "next";
import Link from "next/link";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { StatusBadge } from "@/components/admin/status-badge";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, linkClass, sectionClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { listAllUsers } from "@/lib/users/admin";
import { ROLES } from "@/lib/users/schemas";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  await requireRole("admin");
  const users = await listAllUsers(await getDb());

  return (
    <div>
      <h1 className={h1Class}>Users</h1>

      <section aria-labelledby="users-heading" className={sectionClass}>
        <h2 id="users-heading" className={h2Class}>
          All users ({users.length})
        </h2>
        <div className="overflow-x-auto">
          <table className={tableClass} data-testid="users-table">
            <thead>
              <tr>
                <th scope="col" className={thClass}>
                  Email
                </th>
                <th scope="col" className={thClass}>
                  Name
                </th>
                <th scope="col" className={thClass}>
                  Roles
                </th>
                <th scope="col" className={thClass}>
                  Groups
                </th>
                <th scope="col" className={thClass}>
                  Status
                </th>
                <th scope="col" className={thClass}>
                  Last sign-in
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-testid={`user-row-${user.email}`}>
                  <th scope="row" className={`${tdClass} font-normal`}>
                    <Link href={`/admin/users/${user.id}`} className={linkClass}>
                      {user.email}
                    </Link>
                  </th>
                  <td className={tdClass}>{user.name}</td>
                  <td className={tdClass} data-testid="user-roles">
                    {user.roles.length > 0 ? user.roles.join(", ") : "None"}
                  </td>
                  <td className={tdClass} data-testid="user-groups">
                    {user.groups.length > 0 ? user.groups.map((g) => g.name).join(", ") : "None"}
                  </td>
                  <td className={tdClass}>
                    <StatusBadge disabled={user.disabled} />
                  </td>
                  <td className={tdClass}>
                    <DateTime value={user.lastLoginAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="create-user-heading" className={sectionClass}>
        <h2 id="create-user-heading" className={h2Class}>
          Create a user
        </h2>
        <CreateUserForm roles={ROLES} />
      </section>
    </div>
  );
}
