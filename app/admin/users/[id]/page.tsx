import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ResetMfaForm } from "@/components/admin/reset-mfa-form";
import { ResetPasswordForm } from "@/components/admin/reset-password-form";
import { StatusBadge } from "@/components/admin/status-badge";
import { ToggleDisabledForm } from "@/components/admin/toggle-disabled-form";
import { UserRolesForm } from "@/components/admin/user-roles-form";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { OIDC_PROVIDER_ID } from "@/lib/auth/config";
import { requireRole } from "@/lib/auth/guards";
import { mfaStatusOf } from "@/lib/auth/mfa";
import { findUserById } from "@/lib/users/admin";
import { ROLES, uuidSchema } from "@/lib/users/schemas";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "User" };

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireRole("admin");
  const id = uuidSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const db = await getDb();
  const user = await findUserById(db, id.data);
  if (!user) notFound();
  const mfa = await mfaStatusOf(db, user.id);
  const isSelf = user.id === actor.id;

  return (
    <div>
      <p className="text-sm">
        <TextLink href="/admin/users">← All users</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="user-heading">
        {user.name}
      </h1>

      <section aria-labelledby="account-heading" className={sectionClass}>
        <h2 id="account-heading" className={h2Class}>
          Account
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="font-medium">Email</dt>
          <dd data-testid="user-email">{user.email}</dd>
          <dt className="font-medium">Status</dt>
          <dd>
            <StatusBadge disabled={user.disabled} />
          </dd>
          <dt className="font-medium">Sign-in method</dt>
          <dd>{user.authProvider === OIDC_PROVIDER_ID ? "Single sign-on" : "Email and password"}</dd>
          <dt className="font-medium">Created</dt>
          <dd>
            <DateTime value={user.createdAt} />
          </dd>
          <dt className="font-medium">Last sign-in</dt>
          <dd>
            <DateTime value={user.lastLoginAt} />
          </dd>
        </dl>
      </section>

      <section aria-labelledby="roles-heading" className={sectionClass}>
        <h2 id="roles-heading" className={h2Class}>
          Roles
        </h2>
        {user.authProvider === OIDC_PROVIDER_ID ? (
          <p className="text-sm text-gray-700 dark:text-gray-300">
            This account signs in through single sign-on; the identity provider&apos;s roles replace these at each
            sign-in.
          </p>
        ) : null}
        <UserRolesForm userId={user.id} roles={ROLES} current={user.roles} />
      </section>

      <section aria-labelledby="groups-heading" className={sectionClass}>
        <h2 id="groups-heading" className={h2Class}>
          Groups
        </h2>
        {user.groups.length > 0 ? (
          <ul className="list-disc pl-6 text-sm" data-testid="user-group-list">
            {user.groups.map((group) => (
              <li key={group.id}>
                <TextLink href={`/admin/groups/${group.id}`}>{group.name}</TextLink>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm" data-testid="user-group-list">
            Not a member of any group. Add members from a <TextLink href="/admin/groups">group&apos;s page</TextLink>.
          </p>
        )}
      </section>

      <section aria-labelledby="access-heading" className={sectionClass}>
        <h2 id="access-heading" className={h2Class}>
          Sign-in access
        </h2>
        <p className="text-sm text-gray-700 dark:text-gray-300">
          {user.disabled
            ? "This account cannot sign in and its API keys are refused."
            : isSelf
              ? "This is your own account. Another administrator must disable it if that is needed."
              : "Disabling stops sign-in and API key use at once; nothing is deleted."}
        </p>
        <ToggleDisabledForm userId={user.id} disabled={user.disabled} />
      </section>

      {user.authProvider !== OIDC_PROVIDER_ID && !isSelf ? (
        <section aria-labelledby="password-heading" className={sectionClass}>
          <h2 id="password-heading" className={h2Class}>
            Password
          </h2>
          <p className="text-sm text-gray-700 dark:text-gray-300">
            A reset ends the person&apos;s sessions at once and gives a one-time password, shown once, that only lets
            them choose a new password at their next sign-in.
          </p>
          <ResetPasswordForm userId={user.id} />
        </section>
      ) : null}

      {user.authProvider !== OIDC_PROVIDER_ID ? (
        <section aria-labelledby="mfa-heading" className={sectionClass}>
          <h2 id="mfa-heading" className={h2Class}>
            Two-step sign-in
          </h2>
          <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="user-mfa-status">
            {mfa.enabled
              ? `On, with ${mfa.recoveryCodesLeft} unused recovery codes.`
              : "Off: signing in asks only for the password."}
          </p>
          {mfa.enabled && !isSelf ? (
            <>
              <p className="text-sm text-gray-700 dark:text-gray-300">
                A reset removes the person&apos;s authenticator and recovery codes and ends their sessions; they sign in
                with their password and set it up again.
              </p>
              <ResetMfaForm userId={user.id} />
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
