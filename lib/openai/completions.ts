import "server-only";
import type { Database } from "@/db/client";
import { resolveReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { prepareAnswer, type AskDeps } from "@/lib/chat/ask";
import { eventStreamResponse } from "@/lib/chat/sse";
import type { ChatEvent, FinalAnswer } from "@/lib/chat/types";
import { AppError, type ErrorCode } from "@/lib/errors";
import type { ChatTurn } from "@/lib/models/generator";
import { referenceList, withReferences } from "@/lib/rag/format";
import { openAiErrorBody } from "./errors";
import { resolveCollections } from "./models";
import { MAX_QUESTION_LENGTH, messageText, type ChatCompletionRequest } from "./schemas";

// POST /v1/chat/completions through the same permission-aware retrieval, generation and citation
// checks as the chat. The last user message is the question; earlier user/assistant messages are
// the history. System and developer messages are not passed to the model: the instructions that
// keep answers inside the passages are the service's, not the caller's. Citations travel in an
// extra `citations` field and, for clients that ignore extra fields, as a reference list at the end
// of the content. A non-streamed answer's content is already guarded (lib/chat/guard.ts).

interface Conversation {
  question: string;
  history: ChatTurn[];
}

function toConversation(body: ChatCompletionRequest): Conversation {
  const turns = body.messages.filter((m) => m.role === "user" || m.role === "assistant");
  const last = turns.at(-1);
  if (!last || last.role !== "user")
    throw new AppError("invalid_request", "The last message must come from the user: it is the question.");
  const question = messageText(last.content).trim();
  if (!question) throw new AppError("invalid_request", "The last user message is empty.");
  if (question.length > MAX_QUESTION_LENGTH)
    throw new AppError("invalid_request", `The question must be at most ${MAX_QUESTION_LENGTH} characters.`);
  const history: ChatTurn[] = turns
    .slice(0, -1)
    .map((m) => ({ role: m.role as "user" | "assistant", content: messageText(m.content) }));
  return { question, history };
}

function finishReason(f: FinalAnswer): "stop" | "length" {
  return f.finishReason === "length" ? "length" : "stop";
}

function usage(f: FinalAnswer) {
  return {
    prompt_tokens: f.usage.promptTokens,
    completion_tokens: f.usage.completionTokens,
    total_tokens: f.usage.promptTokens + f.usage.completionTokens,
  };
}

/** Extra fields every completion carries: what was cited, and what answered. */
function extras(f: FinalAnswer) {
  return {
    citations: f.citations,
    sentences: f.sentences,
    conversation_id: f.conversationId,
    not_covered: f.notCovered,
    model_identity: f.model,
    retrieved_chunk_ids: f.retrievedChunkIds,
    // What the privacy guards did. Streamed content is guarded against every passage in the
    // prompt; the final guard, against the cited passages only, is stricter: when
    // `guard.redacted` is not empty, `guarded_content` is the text to keep.
    guard: f.guard,
    ...(Object.keys(f.guard.redacted).length > 0 ? { guarded_content: f.answer } : {}),
  };
}

function statusOf(code: string): number {
  return new AppError(code as ErrorCode, "").status || 500;
}

export async function createChatCompletion(
  deps: AskDeps,
  db: Database,
  actor: Actor,
  body: ChatCompletionRequest,
  signal: AbortSignal,
): Promise<Response> {
  const scope = await resolveReadScope(db, actor);
  const collectionIds = resolveCollections(scope, body.model, body.collections);
  const { question, history } = toConversation(body);
  const prepared = await prepareAnswer(deps, actor, {
    message: question,
    conversationId: body.conversation_id,
    collectionIds,
    history,
    ...(body.asOf !== undefined ? { asOf: body.asOf } : {}),
  });
  const created = Math.floor(Date.now() / 1000);

  if (!body.stream) {
    let final: FinalAnswer | null = null;
    let failure: { code: string; message: string } | null = null;
    await prepared.run((e: ChatEvent) => {
      if (e.event === "final") final = e.data;
      else if (e.event === "error") failure = e.data;
    }, signal);
    const f = final as FinalAnswer | null;
    if (!f) {
      const err = (failure as { code: string; message: string } | null) ?? {
        code: "internal",
        message: "The answer could not be completed.",
      };
      return Response.json(openAiErrorBody(new AppError(err.code as ErrorCode, err.message)), {
        status: statusOf(err.code),
      });
    }
    return Response.json({
      id: `chatcmpl-${f.messageId}`,
      object: "chat.completion",
      created,
      model: body.model,
      system_fingerprint: f.model.modelSha256 ? `sha256:${f.model.modelSha256.slice(0, 16)}` : f.model.kind,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: withReferences(f.answer, f.citations), refusal: null },
          logprobs: null,
          finish_reason: finishReason(f),
        },
      ],
      usage: usage(f),
      ...extras(f),
    });
  }

  return eventStreamResponse(signal, async (write, streamSignal) => {
    let id = "chatcmpl-pending";
    const chunk = (delta: Record<string, unknown>, finish: string | null, more: Record<string, unknown> = {}) =>
      write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...more })}\n\n`,
      );
    await prepared.run((e: ChatEvent) => {
      if (e.event === "meta") {
        id = `chatcmpl-${e.data.messageId}`;
        chunk({ role: "assistant", content: "" }, null);
      } else if (e.event === "token") {
        chunk({ content: e.data.text }, null);
      } else if (e.event === "final") {
        const refs = referenceList(e.data.citations);
        if (refs) chunk({ content: `\n\n${refs}` }, null);
        chunk({}, finishReason(e.data), extras(e.data));
        if (body.stream_options?.include_usage) {
          write(
            `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage: usage(e.data) })}\n\n`,
          );
        }
      } else if (e.event === "error") {
        write(`data: ${JSON.stringify(openAiErrorBody(new AppError(e.data.code as ErrorCode, e.data.message)))}\n\n`);
      }
    }, streamSignal);
    write("data: [DONE]\n\n");
  });
}
