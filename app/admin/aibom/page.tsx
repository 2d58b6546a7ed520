import type { Metadata } from "next";
import { DependencyTable } from "@/components/admin/dependency-table";
import { formatBytes } from "@/components/collections/format";
import { DateTime } from "@/components/ui/date-time";
import { buttonClass, h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { currentAiBom } from "@/lib/aibom/current";
import { PROP, propertyOf, type CdxBom } from "@/lib/aibom/cyclonedx";
import { dependencyRows, modelRows } from "@/lib/aibom/rows";
import { requireRole } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";

export const metadata: Metadata = { title: "AI bill of materials" };

/** What answers questions here, down to the bytes: models with their hashes, the runtime, every package. */
export default async function AiBomPage() {
  await requireRole("admin");
  let bom: CdxBom;
  try {
    bom = await currentAiBom();
  } catch (err) {
    if (!(err instanceof AppError) || !err.expose) throw err;
    return (
      <div>
        <h1 className={h1Class}>AI bill of materials</h1>
        <p
          role="alert"
          className="mt-4 rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 p-4 text-sm text-red-900 dark:text-red-200"
          data-testid="aibom-error"
        >
          {err.message}
        </p>
      </div>
    );
  }
  const models = modelRows(bom);
  const llama = bom.components.find((c) => c["bom-ref"] === "runtime:llama.cpp");
  const llamaPackage = bom.components.find((c) => propertyOf(c, PROP.npmPath) === "node_modules/node-llama-cpp");
  const node = bom.components.find((c) => c.type === "platform");

  return (
    <div>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className={h1Class}>AI bill of materials</h1>
          <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">
            {bom.metadata.component.name} {bom.metadata.component.version}, generated{" "}
            <DateTime value={new Date(bom.metadata.timestamp)} /> as CycloneDX {bom.specVersion}. Serial{" "}
            <span className="font-mono text-xs">{bom.serialNumber}</span>.
          </p>
        </div>
        <a href="/api/aibom?download=1" download className={buttonClass} data-testid="aibom-download">
          Download CycloneDX JSON
        </a>
      </div>

      <section aria-labelledby="models-heading" className={sectionClass}>
        <h2 id="models-heading" className={h2Class}>
          Models
        </h2>
        <p className="text-sm">
          Answers:{" "}
          {propertyOf(bom.metadata, PROP.generatorKind) === "llama"
            ? "a local language model (below)"
            : propertyOf(bom.metadata, PROP.generatorKind) === "openai"
              ? "a language model on a model server inside the perimeter (below)"
              : "extractive, no language model configured"}
          .
        </p>
        <div className="space-y-4" data-testid="aibom-models">
          {models.map((m) => (
            <article
              key={m.ref}
              className="rounded-md border border-gray-300 dark:border-gray-700 p-4"
              data-testid={`aibom-model-${m.role}`}
            >
              <h3 className="font-semibold text-gray-950 dark:text-gray-100">
                <span className="capitalize">{m.role}</span>: {m.name}
                {m.version ? ` ${m.version}` : ""}
              </h3>
              <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
                {m.sha256 ? (
                  <>
                    <dt className="font-medium">SHA-256</dt>
                    <dd className="break-all font-mono text-xs" data-testid="aibom-model-sha256">
                      {m.sha256}
                    </dd>
                  </>
                ) : null}
                {m.otherHashes.map((h) => (
                  <div key={h} className="contents">
                    <dt className="font-medium">Package {h.split(":")[0]}</dt>
                    <dd className="break-all font-mono text-xs">{h.split(":")[1]}</dd>
                  </div>
                ))}
                {m.bytes !== null ? (
                  <>
                    <dt className="font-medium">Size</dt>
                    <dd>{formatBytes(m.bytes)}</dd>
                  </>
                ) : null}
                {m.facts.map((f) => (
                  <div key={f.label} className="contents">
                    <dt className="font-medium">{f.label}</dt>
                    <dd className="break-all">{f.value}</dd>
                  </div>
                ))}
              </dl>
              {m.files.length > 0 ? (
                <details className="mt-3 text-sm">
                  <summary className="cursor-pointer">Files ({m.files.length}) with their SHA-256</summary>
                  <Table className="mt-2" data-testid="aibom-model-files">
                    <tbody>
                      {m.files.map((f) => (
                        <tr key={f.name}>
                          <RowHeader>{f.name}</RowHeader>
                          <Td>{formatBytes(f.bytes)}</Td>
                          <Td className="break-all font-mono text-xs">{f.sha256}</Td>
                        </tr>
                      ))}
                    </tbody>
                  </Table>
                </details>
              ) : null}
            </article>
          ))}
        </div>
      </section>

      <section aria-labelledby="runtime-heading" className={sectionClass}>
        <h2 id="runtime-heading" className={h2Class}>
          Inference runtime
        </h2>
        <Table data-testid="aibom-runtime">
          <thead>
            <tr>
              <Th>Component</Th>
              <Th>Version</Th>
              <Th>Details</Th>
            </tr>
          </thead>
          <tbody>
            {llamaPackage ? (
              <tr>
                <RowHeader>node-llama-cpp</RowHeader>
                <Td>{llamaPackage.version}</Td>
                <Td>Node.js bindings and prebuilt binaries for llama.cpp</Td>
              </tr>
            ) : null}
            {llama ? (
              <tr>
                <RowHeader>llama.cpp</RowHeader>
                <Td data-testid="aibom-llama-release">{llama.version}</Td>
                <Td data-testid="aibom-llama-device">
                  Runs on: {propertyOf(llama, PROP.gpu)}
                  {propertyOf(llama, PROP.gpuDevices) ? ` (${propertyOf(llama, PROP.gpuDevices)})` : ""}. Binaries:{" "}
                  {propertyOf(llama, PROP.binaries)}.
                </Td>
              </tr>
            ) : null}
            {node ? (
              <tr>
                <RowHeader>Node.js</RowHeader>
                <Td>{node.version}</Td>
                <Td>{propertyOf(node, "kq:platform:os")}</Td>
              </tr>
            ) : null}
          </tbody>
        </Table>
      </section>

      <section aria-labelledby="dependencies-heading" className={sectionClass}>
        <h2 id="dependencies-heading" className={h2Class}>
          Packages from the lockfile
        </h2>
        <DependencyTable rows={dependencyRows(bom)} />
      </section>
    </div>
  );
}
