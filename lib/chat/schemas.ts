import { z } from "zod";
import { USER_REVIEW_REASONS } from "@/lib/review/reasons";
import { uuidSchema } from "@/lib/users/schemas";

// Input shapes of the chat API, shared by the route handlers and their tests.

export const MAX_QUESTION_LENGTH = 4000;

export const chatRequestSchema = z
  .object({
    message: z
      .string({ error: "message must be text." })
      .trim()
      .min(1, "message must not be empty.")
      .max(MAX_QUESTION_LENGTH, `message must be at most ${MAX_QUESTION_LENGTH} characters.`)
      .optional(),
    conversationId: uuidSchema.optional(),
    collectionIds: z.array(uuidSchema).max(100, "Choose at most 100 collections.").optional(),
    /** Answer from the versions in effect on this ISO date (or date-time with a zone); checked by parseAsOf. */
    asOf: z.string().max(40, "asOf is too long.").optional(),
    /** Answer the latest question again: the id of its current answer, which is kept as an earlier answer. */
    regenerate: uuidSchema.optional(),
    /** Replace the latest question with `message`: the id of the question edited, which is kept. */
    editOf: uuidSchema.optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.regenerate && v.editOf) issue("editOf", "regenerate and editOf cannot be combined; send one.");
    if ((v.regenerate || v.editOf) && !v.conversationId)
      issue("conversationId", "conversationId is required to regenerate an answer or edit a question.");
    if (v.regenerate && v.message !== undefined)
      issue(
        "message",
        "leave message out to regenerate: the stored question is asked again (use editOf to change it).",
      );
    if (!v.regenerate && v.message === undefined) issue("message", "message is required.");
  });

export type ChatRequestInput = z.infer<typeof chatRequestSchema>;

/** A thumbs down with a reason sends the answer to the review queue. */
export const feedbackSchema = z
  .object({
    rating: z.union([z.literal(1), z.literal(-1)], { error: "rating must be 1 (helpful) or -1 (not helpful)." }),
    comment: z.string().trim().max(2000, "comment must be at most 2000 characters.").default(""),
    reason: z
      .enum(USER_REVIEW_REASONS, { error: `reason must be one of: ${USER_REVIEW_REASONS.join(", ")}.` })
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.reason && v.rating !== -1)
      ctx.addIssue({ code: "custom", path: ["reason"], message: "a reason goes with a thumbs down (rating -1)." });
    if (v.reason === "other" && !v.comment)
      ctx.addIssue({ code: "custom", path: ["comment"], message: 'say what was wrong when the reason is "other".' });
  });

export const renameConversationSchema = z.object({
  title: z.string().trim().min(1, "title must not be empty.").max(200, "title must be at most 200 characters."),
});

/** GET /api/conversations: search and paging. */
export const listConversationsSchema = z.object({
  q: z.string().trim().max(200, "q must be at most 200 characters.").optional(),
  cursor: z.string().max(200, "cursor is too long.").optional(),
  limit: z.coerce
    .number({ error: "limit must be a number." })
    .int("limit must be a whole number.")
    .min(1, "limit must be at least 1.")
    .max(100, "limit must be at most 100.")
    .optional(),
});
