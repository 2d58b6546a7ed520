"use client";

import type { AnswerModel } from "@/lib/chat/types";

/** Which model wrote the answer, in one line, with the full identity one click away. */
export function ModelBadge({ model }: { model: AnswerModel }) {
  const summary =
    model.kind === "extractive"
      ? "Extractive answer: quoted passages, no language model configured"
      : model.kind === "openai"
        ? `${model.modelId ?? model.modelFile}${model.quantization ? ` (${model.quantization})` : ""} on a model server`
        : `${model.modelFile}${model.quantization ? ` (${model.quantization})` : ""} on ${model.gpu ? model.gpu.toUpperCase() : "CPU"}`;
  return (
    <details className="text-xs text-gray-700 dark:text-gray-300" data-testid="answer-model" data-kind={model.kind}>
      <summary className="cursor-pointer focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400">
        {summary}
      </summary>
      <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5">
        <dt className="font-medium">Generator</dt>
        <dd>{model.kind}</dd>
        {model.server ? (
          <>
            <dt className="font-medium">Model server</dt>
            <dd className="break-all" data-testid="answer-model-server">
              {model.server}, model {model.modelId}
            </dd>
          </>
        ) : null}
        {model.modelFile ? (
          <>
            <dt className="font-medium">Model file</dt>
            <dd>
              {model.modelFile}
              {model.modelBytes !== null ? ` (${model.modelBytes.toLocaleString("en")} bytes)` : ""}
            </dd>
            <dt className="font-medium">sha256</dt>
            <dd className="font-mono break-all" data-testid="answer-model-sha">
              {model.modelSha256 ?? "not reported by the server"}
              {model.sha256Source === "declared" ? " (declared by the operator)" : ""}
            </dd>
            <dt className="font-medium">Architecture</dt>
            <dd>
              {model.architecture ?? "unknown"}
              {model.quantization ? `, ${model.quantization}` : ""}
            </dd>
            <dt className="font-medium">Context</dt>
            <dd>{model.contextSize} tokens</dd>
            <dt className="font-medium">Runs on</dt>
            <dd>
              {model.gpu
                ? model.gpu.toUpperCase()
                : model.kind === "openai"
                  ? "the model server (device not reported)"
                  : `CPU, ${model.threads ?? "?"} threads`}
            </dd>
          </>
        ) : null}
        {model.sampling ? (
          <>
            <dt className="font-medium">Sampling</dt>
            <dd>
              temperature {model.sampling.temperature}, top-p {model.sampling.topP}, top-k {model.sampling.topK}, max{" "}
              {model.sampling.maxTokens} tokens
              {model.sampling.seed !== null ? `, seed ${model.sampling.seed}` : ""}
            </dd>
          </>
        ) : null}
        <dt className="font-medium">Embeddings</dt>
        <dd>{model.embedderId}</dd>
      </dl>
    </details>
  );
}
