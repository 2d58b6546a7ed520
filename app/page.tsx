import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { FirstRunSteps } from "@/components/home/first-run-steps";
import { requireUser } from "@/lib/auth/guards";
import { getFirstRunProgress } from "@/lib/collections/first-run";
import { getDb } from "@/lib/server/db";
import { TextLink } from "@/components/ui/text-link";

export default async function HomePage() {
  const actor = await requireUser();
  const isAdmin = actor.roles.includes("admin");
  const isCompliance = actor.roles.includes("compliance");
  const progress = await getFirstRunProgress(await getDb());

  return (
    <div>
      <h1 className={h1Class} data-testid="home-welcome">
        Welcome, {actor.name}
      </h1>

      <FirstRunSteps progress={progress} isAdmin={isAdmin} />

      <section aria-labelledby="who-heading" className={sectionClass}>
        <h2 id="who-heading" className={h2Class}>
          Who you are
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <dt className="font-medium">Name</dt>
          <dd>{actor.name}</dd>
          <dt className="font-medium">Email</dt>
          <dd data-testid="home-email">{actor.email}</dd>
          <dt className="font-medium">Roles</dt>
          <dd data-testid="home-roles">{actor.roles.length > 0 ? actor.roles.join(", ") : "None"}</dd>
          <dt className="font-medium">Groups</dt>
          <dd data-testid="home-groups">
            {actor.groups.length > 0 ? actor.groups.map((g) => g.name).join(", ") : "You are not in any group yet."}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="next-heading" className={sectionClass}>
        <h2 id="next-heading" className={h2Class}>
          What you can do now
        </h2>
        <ul className="list-disc space-y-2 pl-6 text-sm" data-testid="home-actions">
          <li>
            <TextLink href="/chat" data-testid="home-chat">
              Ask a question
            </TextLink>
            : get an answer written only from the documents you may read, with every claim linked to its source.
          </li>
          <li>
            <TextLink href="/collections" data-testid="home-collections">
              Collections
            </TextLink>
            {isAdmin
              ? ": create collections, upload documents and decide which groups and roles may read them."
              : ": the document collections you may ask about, and what is in them."}
          </li>
          <li>
            <TextLink href="/profile">Your profile</TextLink>: see your account and create API keys for tools that call
            this service.
          </li>
          {isAdmin ? (
            <>
              <li>
                <TextLink href="/admin/users">Users</TextLink>: create accounts, change roles, and enable or disable
                sign-in.
              </li>
              <li>
                <TextLink href="/admin/groups">Groups</TextLink>: create groups and manage who belongs to them.
              </li>
            </>
          ) : null}
          {isCompliance ? (
            <li>
              <TextLink href="/compliance" data-testid="home-compliance">
                Compliance
              </TextLink>
              : the audit trail of sign-ins, changes and answers, signed exports, and retention holds.
            </li>
          ) : null}
        </ul>
      </section>
    </div>
  );
}
