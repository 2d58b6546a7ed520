import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { deleteMyConversation, readMyConversation, renameMyConversation } from "@/lib/chat/conversations";
import { renameConversationSchema } from "@/lib/chat/schemas";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** One of the caller's conversations with its messages; anyone else's answers 404. */
export const GET = apiRoute<{ id: string }>({ scope: "chat" }, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return readMyConversation(db, actor, id);
});

export const PATCH = apiRoute<{ id: string }>({ scope: "chat" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { title } = await readJson(req, renameConversationSchema);
  await renameMyConversation(db, actor, id, title);
  return { id, title };
});

export const DELETE = apiRoute<{ id: string }>({ scope: "chat" }, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await deleteMyConversation(db, actor, id);
  return new Response(null, { status: 204 });
});
