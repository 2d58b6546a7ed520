import type { Metadata } from "next";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { StatusBadge } from "@/components/admin/status-badge";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { listAllUsers } from "@/lib/users/admin";
import { ROLES } from "@/lib/users/schemas";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

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
          <Table data-testid="users-table">
            <thead>
              <tr>
                <Th>Email</Th>
                <Th>Name</Th>
                <Th>Roles</Th>
                <Th>Groups</Th>
                <Th>Status</Th>
                <Th>Last sign-in</Th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-testid={`user-row-${user.email}`}>
                  <RowHeader>
                    <TextLink href={`/admin/users/${user.id}`}>{user.email}</TextLink>
                  </RowHeader>
                  <Td>{user.name}</Td>
                  <Td data-testid="user-roles">{user.roles.length > 0 ? user.roles.join(", ") : "None"}</Td>
                  <Td data-testid="user-groups">
                    {user.groups.length > 0 ? user.groups.map((g) => g.name).join(", ") : "None"}
                  </Td>
                  <Td>
                    <StatusBadge disabled={user.disabled} />
                  </Td>
                  <Td>
                    <DateTime value={user.lastLoginAt} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
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
