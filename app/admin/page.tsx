import type { Metadata } from "next";
import { AtRestTable } from "@/components/admin/overview/at-rest-table";
import { Figure } from "@/components/admin/overview/figure";
import { JobsTable } from "@/components/admin/overview/jobs-table";
import { formatBytes } from "@/components/collections/format";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { SEARCH_NEEDS_PLAINTEXT } from "@/lib/admin/at-rest";
import { currentOverview } from "@/lib/admin/current-overview";
import { VERSION_STATUSES } from "@/lib/admin/overview";
import { requireRole } from "@/lib/auth/guards";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Administration" };

/** What an administrator checks first, read now on the server: content, storage, ingestion, models. */
export default async function AdminOverviewPage() {
  await requireRole("admin");
  const o = await currentOverview();
  const { counts, storage, jobs, models, evaluations } = o;
  const belowPassMark = evaluations.filter((e) => !e.passed);
  const gen = models.generator;

  return (
    <div>
      <h1 className={h1Class}>Administration</h1>
      <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">
        As of <DateTime value={new Date(o.generatedAt)} />. Manage <TextLink href="/admin/users">users</TextLink>,{" "}
        <TextLink href="/admin/groups">groups</TextLink> and <TextLink href="/collections">collections</TextLink>, or
        read the{" "}
        <TextLink href="/admin/aibom" data-testid="overview-aibom-link">
          AI bill of materials
        </TextLink>
        .
      </p>

      <section aria-labelledby="content-heading" className={sectionClass}>
        <h2 id="content-heading" className={h2Class}>
          Users and content
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
          <Figure
            label="Users"
            value={counts.users.total}
            detail={`${counts.users.disabled} disabled`}
            testId="overview-users"
          />
          <Figure
            label="Active users"
            value={counts.users.active}
            detail={`signed in or used a key in ${counts.users.activeDays} days`}
            testId="overview-active-users"
          />
          <Figure label="Collections" value={counts.collections} testId="overview-collections" />
          <Figure
            label="Documents"
            value={counts.documents.active}
            detail={`${counts.documents.deleted} deleted`}
            testId="overview-documents"
          />
          <Figure
            label="Passages indexed"
            value={counts.chunks ?? "Unavailable"}
            detail={counts.chunkError ?? "chunks in LanceDB"}
            testId="overview-chunks"
          />
        </dl>
        <Table className="max-w-md" data-testid="overview-versions">
          <caption className="mb-2 text-left text-sm font-medium text-gray-900 dark:text-gray-100">
            Document versions by status
          </caption>
          <tbody>
            {VERSION_STATUSES.map((s) => (
              <tr key={s}>
                <RowHeader className="capitalize">{s}</RowHeader>
                <Td className="text-right" data-testid={`overview-versions-${s}`}>
                  {counts.versions[s]}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>

      <section aria-labelledby="storage-heading" className={sectionClass}>
        <h2 id="storage-heading" className={h2Class}>
          Storage
        </h2>
        <div className="overflow-x-auto">
          <Table data-testid="overview-storage">
            <thead>
              <tr>
                <Th>What</Th>
                <Th>Where</Th>
                <Th className="text-right">Size</Th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <RowHeader>
                  Database ({storage.database.kind === "pglite" ? "embedded PGlite" : "PostgreSQL server"})
                </RowHeader>
                <Td className="break-all font-mono text-xs">{storage.database.location}</Td>
                <Td className="text-right" data-testid="overview-storage-database">
                  {formatBytes(storage.database.folderBytes ?? storage.database.bytes)}
                </Td>
              </tr>
              <tr>
                <RowHeader>Passages and vectors (LanceDB)</RowHeader>
                <Td className="break-all font-mono text-xs">{storage.vectors.location}</Td>
                <Td className="text-right" data-testid="overview-storage-vectors">
                  {storage.vectors.objectStore ? "Object store" : formatBytes(storage.vectors.bytes)}
                </Td>
              </tr>
              <tr>
                <RowHeader>Original files ({storage.originals.files})</RowHeader>
                <Td className="break-all font-mono text-xs">{storage.originals.location}</Td>
                <Td className="text-right" data-testid="overview-storage-originals">
                  {formatBytes(storage.originals.bytes)}
                </Td>
              </tr>
            </tbody>
          </Table>
        </div>
      </section>

      <section aria-labelledby="at-rest-heading" className={sectionClass}>
        <h2 id="at-rest-heading" className={h2Class}>
          Encryption at rest
        </h2>
        <p className="text-sm text-gray-800 dark:text-gray-200" data-testid="overview-at-rest-note">
          {SEARCH_NEEDS_PLAINTEXT}
        </p>
        <AtRestTable stores={storage.atRest} />
      </section>

      <section aria-labelledby="models-heading" className={sectionClass}>
        <h2 id="models-heading" className={h2Class}>
          Models
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm" data-testid="overview-models">
          <dt className="font-medium">Answers</dt>
          <dd data-testid="overview-generator">
            {gen.kind === "llama"
              ? `Language model ${gen.modelFile ?? ""}`
              : gen.kind === "openai"
                ? `Model server: ${gen.modelFile ?? "model not known yet"}`
                : "Extractive: quotes the best passages (no language model configured)"}
            {gen.modelBytes !== null ? ` (${formatBytes(gen.modelBytes)})` : ""}
          </dd>
          {gen.modelServer ? (
            <>
              <dt className="font-medium">Model server</dt>
              <dd data-testid="overview-model-server" className="break-all">
                {gen.modelServer.server}:{" "}
                {gen.modelServer.reachable && !gen.modelServer.error ? (
                  `answers (${gen.modelServer.latencyMs} ms)${gen.modelServer.model?.sha256 ? `, sha256 ${gen.modelServer.model.sha256}` : ", no sha256 reported"}`
                ) : (
                  <span className="text-red-900 dark:text-red-200">{gen.modelServer.error}</span>
                )}
              </dd>
            </>
          ) : null}
          <dt className="font-medium">Runs on</dt>
          <dd data-testid="overview-device">
            {gen.kind === "extractive"
              ? "CPU"
              : gen.kind === "openai"
                ? `The model server (${gen.device ? gen.device.toUpperCase() : "device not reported"})`
                : gen.loaded
                  ? gen.device === "cpu"
                    ? "CPU"
                    : `GPU (${gen.device})`
                  : "Not loaded yet (the first question loads it)"}
            {gen.threads ? `, ${gen.threads} threads` : ""}
          </dd>
          <dt className="font-medium">Queue</dt>
          <dd data-testid="overview-queue">
            {gen.queue
              ? `${gen.queue.active} of ${gen.queue.parallel} generating, ${gen.queue.queued} waiting (at most ${gen.queue.maxQueue})`
              : "Idle: no question answered by this server process yet"}
          </dd>
          <dt className="font-medium">Embeddings</dt>
          <dd data-testid="overview-embedder" className="break-all">
            {models.embedder.id ?? <span className="text-red-900 dark:text-red-200">{models.embedder.error}</span>}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="quality-heading" className={sectionClass}>
        <h2 id="quality-heading" className={h2Class}>
          Answer quality
        </h2>
        {evaluations.length === 0 ? (
          <p className="text-sm" data-testid="overview-no-evaluations">
            No collection has been evaluated yet. Those who manage a collection keep golden questions on its Evaluation
            page.
          </p>
        ) : (
          <>
            {belowPassMark.length > 0 ? (
              <p
                role="status"
                className="rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 px-3 py-2 text-sm text-red-900 dark:text-red-200"
                data-testid="overview-evaluation-warning"
              >
                {belowPassMark.length} collection(s) scored below the pass mark in their latest evaluation.
              </p>
            ) : null}
            <Table className="max-w-2xl" data-testid="overview-evaluations">
              <thead>
                <tr>
                  <Th>Collection</Th>
                  <Th>Recall@5</Th>
                  <Th>Pass mark</Th>
                  <Th>Latest run</Th>
                </tr>
              </thead>
              <tbody>
                {evaluations.map((e) => (
                  <tr key={e.collectionId} data-testid={`overview-evaluation-${e.collectionName}`}>
                    <Td>
                      <TextLink href={`/collections/${e.collectionId}/evaluation`}>{e.collectionName}</TextLink>
                    </Td>
                    <Td>
                      {e.recallAt5.toFixed(2)}
                      {e.passed ? null : (
                        <span className="ml-2 font-medium text-red-800 dark:text-red-300">below the pass mark</span>
                      )}
                    </Td>
                    <Td>{e.minRecall.toFixed(2)}</Td>
                    <Td>
                      <DateTime value={new Date(e.createdAt)} />
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </>
        )}
      </section>

      <section aria-labelledby="jobs-heading" className={sectionClass}>
        <h2 id="jobs-heading" className={h2Class}>
          Ingestion
        </h2>
        <p className="text-sm" data-testid="overview-job-counts">
          {jobs.byStatus.queued} queued, {jobs.byStatus.running} running, {jobs.byStatus.succeeded} done,{" "}
          {jobs.byStatus.failed} failed.
        </p>
        <h3 className="text-base font-semibold text-gray-900 dark:text-gray-100">Recent failures</h3>
        {jobs.failures.length === 0 ? (
          <p className="text-sm" data-testid="overview-no-failures">
            No ingestion job has failed.
          </p>
        ) : (
          <JobsTable jobs={jobs.failures} testId="overview-failures" showError />
        )}
        <h3 className="text-base font-semibold text-gray-900 dark:text-gray-100">Recent jobs</h3>
        {jobs.recent.length === 0 ? (
          <p className="text-sm">No documents have been uploaded yet.</p>
        ) : (
          <JobsTable jobs={jobs.recent} testId="overview-recent-jobs" showError={false} />
        )}
      </section>
    </div>
  );
}
