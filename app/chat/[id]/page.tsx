import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ChatApp } from "@/components/chat/chat-app";
import { requireUser } from "@/lib/auth/guards";
import { uuidSchema } from "@/lib/users/schemas";
import { loadChat } from "../load";

export const metadata: Metadata = { title: "Ask" };

/** One of the asker's conversations; anyone else's is a 404, like one that does not exist. */
export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireUser();
  const { id } = await params;
  if (!uuidSchema.safeParse(id).success) notFound();
  const data = await loadChat(actor, id);
  if (data.notFound) notFound();
  return (
    <ChatApp
      key={id}
      conversations={data.conversations}
      nextCursor={data.nextCursor}
      collections={data.collections}
      current={data.current}
    />
  );
}
