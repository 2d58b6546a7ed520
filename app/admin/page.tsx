import type { Metadata } from "next";
import Link from "next/link";
import { AtRestTable } from "@/components/admin/overview/at-rest-table";
import { Figure } from "@/components/admin/overview/figure";
import { JobsTable } from "@/components/admin/overview/jobs-table";
import { formatBytes } from "@/components/collections/format";
import { DateTime } from "@/components/ui/date-time";
import { h1Class, h2Class, linkClass, sectionClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { SEARCH_NEEDS_PLAINTEXT } from "@/lib/admin/at-rest";
import { currentOverview } from "@/lib/admin/current-overview";
import { VERSION_STATUSES } from "@/lib/admin/overview";
import { requireRole } from "@/lib/auth/guards";

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
      <p className="mt-2 text-sm text-gray-800">
        As of <DateTime value={new Date(o.generatedAt)} />. Manage{" "}
        <Link href="/admin/users" className={linkClass}>
          users
        </Link>
        ,{" "}
        <Link href="/admin/groups" className={linkClass}>
          groups
        </Link>{" "}
        and{" "}
        <Link href="/collections" className={linkClass}>
          collections
        </Link>
        , or read the{" "}
        <Link href="/admin/aibom" className={linkClass} data-testid="overview-aibom-link">
          AI bill of materials
        </Link>
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
        <table className={`${tableClass} max-w-md`} data-testid="overview-versions">
          <caption className="mb-2 text-left text-sm font-medium text-gray-900">Document versions by status</caption>
          <tbody>
            {VERSION_STATUSES.map((s) => (
              <tr key={s}>
                <th scope="row" className={`${tdClass} font-normal capitalize`}>
                  {s}
                </th>
                <td className={`${tdClass} text-right`} data-testid={`overview-versions-${s}`}>
                  {counts.versions[s]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="storage-heading" className={sectionClass}>
        <h2 id="storage-heading" className={h2Class}>
          Storage
        </h2>
        <div className="overflow-x-auto">
          <table className={tableClass} data-testid="overview-storage">
            <thead>
              <tr>
                <th scope="col" className={thClass}>
                  What
                </th>
                <th scope="col" className={thClass}>
                  Where
                </th>
                <th scope="col" className={`${thClass} text-right`}>
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row" className={`${tdClass} font-normal`}>
                  Database ({storage.database.kind === "pglite" ? "embedded PGlite" : "PostgreSQL server"})
                </th>
                <td className={`${tdClass} break-all font-mono text-xs`}>{storage.database.location}</td>
                <td className={`${tdClass} text-right`} data-testid="overview-storage-database">
                  {formatBytes(storage.database.folderBytes ?? storage.database.bytes)}
                </td>
              </tr>
              <tr>
                <th scope="row" className={`${tdClass} font-normal`}>
                  Passages and vectors (LanceDB)
                </th>
                <td className={`${tdClass} break-all font-mono text-xs`}>{storage.vectors.location}</td>
                <td className={`${tdClass} text-right`} data-testid="overview-storage-vectors">
                  {storage.vectors.objectStore ? "Object store" : formatBytes(storage.vectors.bytes)}
                </td>
              </tr>
              <tr>
                <th scope="row" className={`${tdClass} font-normal`}>
                  Original files ({storage.originals.files})
                </th>
                <td className={`${tdClass} break-all font-mono text-xs`}>{storage.originals.location}</td>
                <td className={`${tdClass} text-right`} data-testid="overview-storage-originals">
                  {formatBytes(storage.originals.bytes)}
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="at-rest-heading" className={sectionClass}>
        <h2 id="at-rest-heading" className={h2Class}>
          Encryption at rest
        </h2>
        <p className="text-sm text-gray-800" data-testid="overview-at-rest-note">
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
                  <span className="text-red-900">{gen.modelServer.error}</span>
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
            {models.embedder.id ?? <span className="text-red-900">{models.embedder.error}</span>}
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
                className="rounded-md border border-red-700 bg-red-50 px-3 py-2 text-sm text-red-900"
                data-testid="overview-evaluation-warning"
              >
                {belowPassMark.length} collection(s) scored below the pass mark in their latest evaluation.
              </p>
            ) : null}
            <table className={`${tableClass} max-w-2xl`} data-testid="overview-evaluations">
              <thead>
                <tr>
                  <th className={thClass}>Collection</th>
                  <th className={thClass}>Recall@5</th>
                  <th className={thClass}>Pass mark</th>
                  <th className={thClass}>Latest run</th>
                </tr>
              </thead>
              <tbody>
                {evaluations.map((e) => (
                  <tr key={e.collectionId} data-testid={`overview-evaluation-${e.collectionName}`}>
                    <td className={tdClass}>
                      <Link href={`/collections/${e.collectionId}/evaluation`} className={linkClass}>
                        {e.collectionName}
                      </Link>
                    </td>
                    <td className={tdClass}>
                      {e.recallAt5.toFixed(2)}
                      {e.passed ? null : <span className="ml-2 font-medium text-red-800">below the pass mark</span>}
                    </td>
                    <td className={tdClass}>{e.minRecall.toFixed(2)}</td>
                    <td className={tdClass}>
                      <DateTime value={new Date(e.createdAt)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
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
        <h3 className="text-base font-semibold text-gray-900">Recent failures</h3>
        {jobs.failures.length === 0 ? (
          <p className="text-sm" data-testid="overview-no-failures">
            No ingestion job has failed.
          </p>
        ) : (
          <JobsTable jobs={jobs.failures} testId="overview-failures" showError />
        )}
        <h3 className="text-base font-semibold text-gray-900">Recent jobs</h3>
        {jobs.recent.length === 0 ? (
          <p className="text-sm">No documents have been uploaded yet.</p>
        ) : (
          <JobsTable jobs={jobs.recent} testId="overview-recent-jobs" showError={false} />
        )}
      </section>
    </div>
  );
}
