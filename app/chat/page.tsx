import type { Metadata } from "next";
import { ChatApp } from "@/components/chat/chat-app";
import { requireUser } from "@/lib/auth/guards";
import { loadChat } from "./load";

export const metadata: Metadata = { title: "Ask" };

export default async function ChatPage() {
  const actor = await requireUser();
  const data = await loadChat(actor, null);
  if (data.notFound) return null;
  return (
    <ChatApp
      conversations={data.conversations}
      nextCursor={data.nextCursor}
      collections={data.collections}
      current={null}
    />
  );
}
