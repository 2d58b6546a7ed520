import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { configuredGenerator } from "@/lib/models/generator-config";
import { ModelFileError } from "@/lib/models/model-file";
import { probeConfiguredModelServer } from "@/lib/models/model-server-client";
import { buildAiBom } from "./build";
import type { CdxBom } from "./cyclonedx";
import { LockfileError } from "./lockfile";

/**
 * The bill of materials of this server: its configured models, the installed runtime and the
 * lockfile in the folder it runs from. A model file or lockfile that cannot be read is a 409
 * naming it: the administrator must fix the deployment, and a partial inventory would mislead.
 */
export async function currentAiBom(): Promise<CdxBom> {
  const e = env();
  try {
    const generator = await configuredGenerator(e);
    return await buildAiBom({
      root: process.cwd(),
      generator,
      modelServer: generator.server ? await probeConfiguredModelServer(e) : null,
      embeddingModelPath: e.EMBEDDING_MODEL_PATH ?? null,
    });
  } catch (err) {
    if (err instanceof ModelFileError || err instanceof LockfileError) {
      throw new AppError("conflict", `The bill of materials cannot be built: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
