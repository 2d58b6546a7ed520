import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/profile/change-password-form";
import { CreateApiKeyForm } from "@/components/profile/create-api-key-form";
import { MfaSection } from "@/components/profile/mfa-section";
import { RevokeApiKeyButton } from "@/components/profile/revoke-api-key-button";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { listOwnApiKeys } from "@/lib/auth/api-key-admin";
import { requireUser } from "@/lib/auth/guards";
import { mfaStatusOf, pendingEnrolmentOf } from "@/lib/auth/mfa";
import { env } from "@/lib/env";
import { hasOwnPassword } from "@/lib/users/passwords";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const actor = await requireUser();
  const { notice } = await searchParams;
  const db = await getDb();
  const keys = await listOwnApiKeys(db, actor.id);
  const maxDays = env().API_KEY_MAX_DAYS;
  const canChangePassword = await hasOwnPassword(db, actor.id);
  // Two-step sign-in belongs to password accounts; an SSO account's provider does its own.
  const mfa = canChangePassword ? await mfaStatusOf(db, actor.id) : null;
  const pendingMfa = mfa?.pending ? await pendingEnrolmentOf(db, actor) : null;

  return (
    <div>
      <h1 className={h1Class}>Your profile</h1>

      <section aria-labelledby="account-heading" className={sectionClass}>
        <h2 id="account-heading" className={h2Class}>
          Account
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="font-medium">Name</dt>
          <dd data-testid="profile-name">{actor.name}</dd>
          <dt className="font-medium">Email</dt>
          <dd data-testid="profile-email">{actor.email}</dd>
          <dt className="font-medium">Roles</dt>
          <dd data-testid="profile-roles">{actor.roles.length > 0 ? actor.roles.join(", ") : "None"}</dd>
          <dt className="font-medium">Groups</dt>
          <dd data-testid="profile-groups">
            {actor.groups.length > 0 ? actor.groups.map((g) => g.name).join(", ") : "None"}
          </dd>
        </dl>
      </section>

      {canChangePassword ? (
        <section aria-labelledby="password-heading" className={sectionClass}>
          <h2 id="password-heading" className={h2Class}>
            Password
          </h2>
          <p className="text-sm text-gray-800 dark:text-gray-200">
            Changing your password signs you out everywhere, this browser included; then sign in with the new one.
          </p>
          <ChangePasswordForm />
        </section>
      ) : null}

      {mfa ? (
        <MfaSection
          status={mfa}
          pending={pendingMfa}
          required={actor.roles.some((r) => env().MFA_REQUIRED_ROLES.includes(r))}
          usedRecoveryCode={notice === "recovery_code_used"}
        />
      ) : null}

      <section aria-labelledby="keys-heading" className={sectionClass}>
        <h2 id="keys-heading" className={h2Class}>
          API keys
        </h2>
        <p className="text-sm text-gray-800 dark:text-gray-200">
          Tools call the API with a key in the header <code className="font-mono">Authorization: Bearer kq_…</code>. A
          key acts with your roles and groups, only for what its scopes allow, and stops working when it expires, is
          revoked or your account is disabled. A key cannot create other keys.
        </p>
        {keys.length === 0 ? (
          <p className="text-sm" data-testid="api-keys-empty">
            You have no API keys.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="api-keys-table">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Key</Th>
                  <Th>Created</Th>
                  <Th>Scopes</Th>
                  <Th>Last used</Th>
                  <Th>Expires</Th>
                  <Th>Status</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id} data-testid={`api-key-row-${key.prefix}`}>
                    <RowHeader>{key.name}</RowHeader>
                    <Td className="font-mono">kq_{key.prefix}_…</Td>
                    <Td>
                      <DateTime value={key.createdAt} />
                    </Td>
                    <Td data-testid="api-key-scopes">{key.scopes.join(", ")}</Td>
                    <Td data-testid="api-key-last-used">
                      <DateTime value={key.lastUsedAt} />
                    </Td>
                    <Td data-testid="api-key-expires">
                      <DateTime value={key.expiresAt} />
                    </Td>
                    <Td data-testid="api-key-status">
                      {key.revokedAt ? (
                        <>
                          Revoked <DateTime value={key.revokedAt} />
                        </>
                      ) : key.expired ? (
                        "Expired"
                      ) : (
                        "Active"
                      )}
                    </Td>
                    <Td>
                      {key.revokedAt ? null : <RevokeApiKeyButton id={key.id} prefix={key.prefix} name={key.name} />}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        <h3 className="pt-2 text-base font-semibold text-gray-900 dark:text-gray-100">Create a key</h3>
        <CreateApiKeyForm maxDays={maxDays} />
      </section>
    </div>
  );
}
