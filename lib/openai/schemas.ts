import { z } from "zod";
import { MAX_QUESTION_LENGTH } from "@/lib/chat/schemas";

// The subset of OpenAI's chat completions request this service honours. Sampling fields are
// accepted so stock clients work, and ignored: the operator fixes sampling per deployment, and
// every answer records the settings actually used.

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const content = z.union([z.string(), z.array(textPart)], {
  error: "content must be a string or an array of text parts; images and audio are not supported.",
});

const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant"], {
    error: "role must be system, developer, user or assistant; tool messages are not supported.",
  }),
  content: content.nullable().optional(),
  name: z.string().optional(),
});

export const chatCompletionSchema = z.object({
  model: z.string({ error: "model is required; GET /v1/models lists them." }).trim().min(1, "model is required."),
  messages: z.array(message).min(1, "messages must contain at least one message."),
  stream: z.boolean().optional().default(false),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  /** Extra field: collection ids or names to search; overrides the collection chosen by the model name. */
  collections: z.array(z.string().trim().min(1)).max(100).optional(),
  /** Extra field: continue one of your stored conversations. */
  conversation_id: z.uuid().optional(),
  /** Extra field: answer from the document versions in effect on this ISO date (as POST /api/chat). */
  asOf: z.string().max(40, "asOf is too long.").optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  max_tokens: z.number().int().optional(),
  max_completion_tokens: z.number().int().optional(),
  n: z.literal(1, { error: "Only n = 1 is supported." }).optional(),
  user: z.string().optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionSchema>;

export function messageText(c: z.infer<typeof content> | null | undefined): string {
  if (c === null || c === undefined) return "";
  return typeof c === "string" ? c : c.map((p) => p.text).join("");
}

export { MAX_QUESTION_LENGTH };
