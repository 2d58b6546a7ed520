import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ACCESS_LABELS } from "@/components/collections/access-label";
import { AutoRefresh } from "@/components/collections/auto-refresh";
import { DeleteCollectionForm } from "@/components/collections/delete-collection-form";
import { DocumentsTable } from "@/components/collections/documents-table";
import { EditCollectionForm } from "@/components/collections/edit-collection-form";
import { GrantsPanel } from "@/components/collections/grants-panel";
import { PrivacyFindings } from "@/components/collections/privacy-findings";
import { PrivacyPolicyForm } from "@/components/collections/privacy-policy-form";
import { ReviewForm } from "@/components/collections/review-form";
import { UploadZone } from "@/components/collections/upload-zone";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireUser, type Actor } from "@/lib/auth/guards";
import { grantsJson } from "@/lib/collections/admin";
import { listCollectionDocuments } from "@/lib/documents/listing";
import { listAllGroups } from "@/lib/groups/admin";
import { env } from "@/lib/env";
import { collectionPolicy } from "@/lib/privacy/collection-policy";
import { INJECTION_POLICIES, INJECTION_POLICY_LABELS, PII_POLICIES, PII_POLICY_LABELS } from "@/lib/privacy/policy";
import { PII_TYPES } from "@/lib/privacy/pii-types";
import { AppError } from "@/lib/errors";
import { ROLES, uuidSchema } from "@/lib/users/schemas";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Collection" };

/** A collection the person may not see answers 404, exactly like one that does not exist. */
async function loadCollection(actor: Actor, rawId: string) {
  const id = uuidSchema.safeParse(rawId);
  if (!id.success) notFound();
  const db = await getDb();
  try {
    return { db, ...(await listCollectionDocuments(db, actor, id.data)) };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
}

export default async function CollectionPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireUser();
  const { db, collection, access, isAdmin, canManage, documents } = await loadCollection(actor, (await params).id);

  const [groups, grants] = await Promise.all([
    canManage ? listAllGroups(db) : Promise.resolve([]),
    isAdmin ? grantsJson(db, collection.id) : Promise.resolve([]),
  ]);
  // Opening an original needs what reading needs: a grant (also for admins) and a matching restriction.
  const openable = new Set(documents.filter((doc) => doc.readable).map((doc) => doc.id));
  const groupNames = groups.map((g) => g.name);
  const busy = documents.some((d) => d.status === "queued" || d.status === "processing");
  const quarantined = canManage ? documents.filter((d) => d.status === "quarantined") : [];

  return (
    <div>
      <AutoRefresh active={busy} />
      <p className="text-sm">
        <TextLink href="/collections">← All collections</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="collection-heading">
        {collection.name}
      </h1>
      {collection.description ? (
        <p className="mt-2 text-sm text-gray-800 dark:text-gray-200" data-testid="collection-description">
          {collection.description}
        </p>
      ) : null}
      {canManage ? (
        <p className="mt-2 text-sm">
          <TextLink href={`/collections/${collection.id}/evaluation`} data-testid="collection-evaluation-link">
            Evaluation: golden questions and quality runs
          </TextLink>
        </p>
      ) : null}
      <p className="mt-2 text-sm text-gray-700 dark:text-gray-300" data-testid="collection-access">
        Your access: {ACCESS_LABELS[access ?? "admin"]}
        {isAdmin && !access
          ? ". Grant a role or group you belong to before answers can draw on this collection for you."
          : null}
      </p>

      {canManage ? (
        <section aria-labelledby="upload-heading" className={sectionClass}>
          <h2 id="upload-heading" className={h2Class}>
            Upload documents
          </h2>
          <UploadZone collectionId={collection.id} maxUploadBytes={env().maxUploadBytes} />
        </section>
      ) : null}

      {quarantined.length > 0 ? (
        <section aria-labelledby="review-heading" className={sectionClass} data-testid="quarantine-review">
          <h2 id="review-heading" className={h2Class}>
            Waiting for review ({quarantined.length})
          </h2>
          <p className="text-sm text-gray-800 dark:text-gray-200">
            These documents contain text that looks like instructions to the assistant. They stay out of search until an
            administrator releases them. Read what was found before deciding.
          </p>
          <ul className="space-y-6">
            {quarantined.map((doc) => (
              <li
                key={doc.id}
                className="rounded-md border border-amber-700 dark:border-amber-400 p-4"
                data-testid={`review-item-${doc.name}`}
              >
                <h3 className="font-medium text-gray-900 dark:text-gray-100">
                  {doc.name}{" "}
                  <span className="font-normal text-gray-700 dark:text-gray-300">(version {doc.version})</span>
                </h3>
                <PrivacyFindings doc={doc} />
                {isAdmin && doc.versionId ? (
                  <div className="mt-3">
                    <ReviewForm versionId={doc.versionId} name={doc.name} />
                  </div>
                ) : (
                  <p className="mt-3 text-sm text-gray-800 dark:text-gray-200">
                    An administrator decides whether to release or reject it.
                  </p>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="documents-heading" className={sectionClass}>
        <h2 id="documents-heading" className={h2Class}>
          Documents ({documents.length})
        </h2>
        {documents.length === 0 ? (
          <p className="text-sm" data-testid="documents-empty">
            {canManage
              ? "There are no documents yet. Upload files above; each is read, split into passages and indexed for answers."
              : "There are no documents here yet. Someone who manages this collection can upload them."}
          </p>
        ) : (
          <DocumentsTable documents={documents} canManage={canManage} groups={groupNames} openable={openable} />
        )}
      </section>

      {canManage ? (
        <section aria-labelledby="privacy-heading" className={sectionClass}>
          <h2 id="privacy-heading" className={h2Class}>
            Privacy and safety policy
          </h2>
          <PrivacyPolicyForm
            collectionId={collection.id}
            policy={collectionPolicy(collection)}
            piiOptions={PII_POLICIES.map((value) => ({ value, label: PII_POLICY_LABELS[value] }))}
            injectionOptions={INJECTION_POLICIES.map((value) => ({ value, label: INJECTION_POLICY_LABELS[value] }))}
            piiTypes={PII_TYPES}
            documentCount={documents.length}
          />
        </section>
      ) : null}

      {isAdmin ? (
        <>
          <section aria-labelledby="grants-heading" className={sectionClass}>
            <h2 id="grants-heading" className={h2Class}>
              Who has access
            </h2>
            <GrantsPanel collectionId={collection.id} grants={grants} roles={ROLES} groups={groupNames} />
          </section>

          <section aria-labelledby="settings-heading" className={sectionClass}>
            <h2 id="settings-heading" className={h2Class}>
              Name and description
            </h2>
            <EditCollectionForm
              collectionId={collection.id}
              name={collection.name}
              description={collection.description}
            />
          </section>

          <section aria-labelledby="delete-heading" className={sectionClass}>
            <h2 id="delete-heading" className={h2Class}>
              Delete the collection
            </h2>
            <DeleteCollectionForm
              collectionId={collection.id}
              name={collection.name}
              documentCount={documents.length}
            />
          </section>
        </>
      ) : null}
    </div>
  );
}
