"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { ChatRequestError, streamChat } from "@/lib/chat/client-stream";
import type { ChatMessage, ConversationSummaryJson } from "@/lib/chat/types";
import type { Citation } from "@/lib/rag/types";
import { CitationPanel } from "./citation-panel";
import { CollectionPicker, type PickerCollection } from "./collection-picker";
import { Composer } from "./composer";
import { ConversationList } from "./conversation-list";
import { MessageView } from "./message-view";
import { isoDay, latestExchange, pendingMessage, threadOf } from "./thread";

// The chat page: the asker's conversations, a collection picker limited to what they may read,
// the conversation itself with answers streaming in, and a side panel for a cited passage.

interface Props {
  conversations: ConversationSummaryJson[];
  /** Fetches the page of conversations after the first; null when there is none. */
  nextCursor: string | null;
  collections: PickerCollection[];
  current: { conversation: ConversationSummaryJson; messages: ChatMessage[] } | null;
}

export function ChatApp({ conversations: initialConversations, nextCursor, collections, current }: Props) {
  const [conversations, setConversations] = useState(initialConversations);
  const [conversationId, setConversationId] = useState<string | null>(current?.conversation.id ?? null);
  const [messages, setMessages] = useState<ChatMessage[]>(current?.messages ?? []);
  const [selected, setSelected] = useState<string[]>(
    (current?.conversation.collectionIds ?? []).filter((id) => collections.some((c) => c.id === id)),
  );
  const [asOf, setAsOf] = useState(current?.conversation.asOf ? isoDay(current.conversation.asOf) : "");
  const [busy, setBusy] = useState(false);
  const [stage, setStage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [panel, setPanel] = useState<{ citation: Citation; opener: HTMLElement | null } | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [messages]);

  // Leaving the page stops an answer in progress rather than letting it run unseen.
  useEffect(() => () => abortRef.current?.abort(), []);

  // Keyboard: "/" goes to the question box from anywhere but a text field; Escape stops an answer
  // being written (the citation panel closes itself on Escape).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target?.isContentEditable || (target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        const input = document.getElementById("chat-input");
        if (input) {
          e.preventDefault();
          input.focus();
        }
      } else if (e.key === "Escape" && abortRef.current && !document.querySelector("dialog[open]")) {
        abortRef.current.abort();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const updateAssistant = useCallback((id: string, change: (m: ChatMessage) => ChatMessage) => {
    setMessages((all) => all.map((m) => (m.id === id ? change(m) : m)));
  }, []);

  /** After a stop the server finishes checking and storing what was written; show that version. */
  const reloadConversation = useCallback(async (id: string) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await fetch(`/api/conversations/${id}`, { cache: "no-store" });
      if (!res.ok) return;
      const body = (await res.json()) as { messages: ChatMessage[] };
      if (!body.messages.some((m) => m.status === "streaming")) {
        setMessages(body.messages);
        return;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }, []);

  /**
   * Asks a question, or (revise) answers the latest question again or replaces it with `text`;
   * the replaced message stays, marked as superseded, and is shown as an earlier version.
   */
  const send = useCallback(
    async (text: string, revise?: { regenerate: string; questionId: string } | { editOf: string }) => {
      setError(null);
      setAnnouncement("");
      const regenerate = revise && "regenerate" in revise ? revise : null;
      const editOf = revise && "editOf" in revise ? revise.editOf : null;
      const question = pendingMessage("user", text);
      const placeholder = { ...pendingMessage("assistant", ""), replyTo: regenerate?.questionId ?? null };
      let assistantId = placeholder.id;
      let currentConversation = conversationId;
      setMessages((all) => (regenerate ? [...all, placeholder] : [...all, question, placeholder]));
      setBusy(true);
      setStage("Sending");
      const controller = new AbortController();
      abortRef.current = controller;
      let stopped = false;
      try {
        const events = streamChat(
          {
            ...(regenerate ? { regenerate: regenerate.regenerate } : { message: text }),
            ...(editOf ? { editOf } : {}),
            conversationId: conversationId ?? undefined,
            collectionIds: selected.length > 0 ? selected : undefined,
            // A regenerated answer keeps the moment of the one it replaces (the server knows it).
            ...(asOf && !regenerate ? { asOf } : {}),
          },
          { signal: controller.signal },
        );
        for await (const e of events) {
          if (e.event === "meta") {
            const meta = e.data;
            currentConversation = meta.conversationId;
            // The updater runs later, when assistantId already holds the new id: capture the old one.
            const pendingId = assistantId;
            const realId = meta.messageId;
            // The question as stored: masked under the deployment's question policy.
            const revision = meta.revision;
            setMessages((all) =>
              all.map((m) =>
                m.id === question.id
                  ? { ...m, id: meta.questionId, content: meta.question, asOf: meta.asOf }
                  : m.id === pendingId
                    ? { ...m, id: realId, replyTo: meta.questionId, asOf: meta.asOf }
                    : revision?.kind === "edit" && m.id === revision.questionId
                      ? { ...m, supersededBy: meta.questionId }
                      : revision && m.id === revision.answerId
                        ? { ...m, supersededBy: realId }
                        : m,
              ),
            );
            assistantId = realId;
            if (!conversationId) {
              setConversationId(meta.conversationId);
              const now = new Date().toISOString();
              setConversations((all) => [
                {
                  id: meta.conversationId,
                  title: meta.title,
                  collectionIds: selected,
                  asOf: meta.asOf,
                  createdAt: now,
                  updatedAt: now,
                },
                ...all.filter((c) => c.id !== meta.conversationId),
              ]);
              window.history.replaceState(null, "", `/chat/${meta.conversationId}`);
            }
          } else if (e.event === "status") {
            setStage(
              e.data.stage === "retrieving"
                ? "Searching your documents"
                : e.data.stage === "generating"
                  ? "Writing the answer"
                  : "Checking citations",
            );
          } else if (e.event === "token") {
            const piece = e.data.text;
            updateAssistant(assistantId, (m) => ({ ...m, content: m.content + piece }));
          } else if (e.event === "final") {
            const f = e.data;
            updateAssistant(assistantId, (m) => ({
              ...m,
              content: f.answer,
              status: f.status,
              citations: f.citations,
              sentences: f.sentences,
              model: f.model,
              finishReason: f.finishReason,
              notCovered: f.notCovered,
              completedAt: new Date().toISOString(),
            }));
            setAnnouncement(
              f.notCovered
                ? "Your documents do not cover this question."
                : `Answer ready with ${f.citations.length} source${f.citations.length === 1 ? "" : "s"}.`,
            );
          } else if (e.event === "error") {
            const message = e.data.message;
            updateAssistant(assistantId, (m) => ({ ...m, status: "failed", content: m.content }));
            setError(message);
          }
        }
      } catch (err) {
        if (controller.signal.aborted) {
          stopped = true;
          updateAssistant(assistantId, (m) => ({ ...m, status: "stopped" }));
          setAnnouncement("Stopped.");
        } else if (err instanceof ChatRequestError) {
          setMessages((all) => all.filter((m) => m.id !== question.id && m.id !== assistantId));
          setError(err.retryAfterSeconds ? `${err.message} (try again in ${err.retryAfterSeconds} s)` : err.message);
        } else {
          updateAssistant(assistantId, (m) => ({ ...m, status: "failed" }));
          setError(`The answer could not be loaded: ${(err as Error).message}`);
        }
      } finally {
        setBusy(false);
        setStage(null);
        abortRef.current = null;
        if (stopped && currentConversation) await reloadConversation(currentConversation);
      }
    },
    [conversationId, selected, asOf, updateAssistant, reloadConversation],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  // Stable, so a finished answer's memoised Markdown blocks are not re-rendered for each token.
  const openCitation = useCallback((citation: Citation, opener: HTMLElement) => setPanel({ citation, opener }), []);

  const startNew = useCallback(() => {
    abortRef.current?.abort();
    setConversationId(null);
    setMessages([]);
    setAsOf("");
    setError(null);
    setPanel(null);
    window.history.replaceState(null, "", "/chat");
  }, []);

  const deleted = useCallback(
    (id: string) => {
      setConversations((all) => all.filter((c) => c.id !== id));
      if (id === conversationId) startNew();
    },
    [conversationId, startNew],
  );

  const thread = threadOf(messages);
  const latest = latestExchange(thread);

  return (
    <div
      className={`grid gap-6 ${panel ? "md:grid-cols-[14rem_1fr] xl:grid-cols-[14rem_1fr_24rem]" : "md:grid-cols-[14rem_1fr]"}`}
    >
      <ConversationList
        conversations={conversations}
        nextCursor={nextCursor}
        activeId={conversationId}
        onNew={startNew}
        onDeleted={deleted}
        onRenamed={(id, title) => setConversations((all) => all.map((c) => (c.id === id ? { ...c, title } : c)))}
      />
      <section aria-labelledby="chat-heading" className="min-w-0">
        <h1 id="chat-heading" className="text-2xl font-semibold text-gray-900 dark:text-gray-100">
          Ask your documents
        </h1>
        {collections.length === 0 ? (
          <p
            className="mt-4 rounded-md border border-amber-300 dark:border-amber-800 bg-amber-50 dark:bg-amber-950 p-3 text-sm text-amber-950 dark:text-amber-200"
            data-testid="chat-no-collections"
          >
            You cannot read any document collection yet. Ask an administrator to grant you access to one.
          </p>
        ) : (
          <>
            <CollectionPicker collections={collections} selected={selected} onChange={setSelected} disabled={busy} />
            <div className="mt-4 space-y-4" data-testid="chat-messages" aria-busy={busy}>
              {asOf ? (
                <p
                  className="rounded-md border border-blue-300 dark:border-blue-800 bg-blue-50 dark:bg-blue-950 p-2 text-sm text-blue-950 dark:text-blue-200"
                  data-testid="chat-as-of-banner"
                >
                  Answering as of {asOf}: only the versions in effect on that day are searched.
                </p>
              ) : null}
              {messages.length === 0 ? (
                <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="chat-empty">
                  Ask a question about your organisation&apos;s documents. Answers quote only documents you may read,
                  and every claim links to its source.
                </p>
              ) : (
                thread.map(({ message: m, earlier }) => (
                  <MessageView
                    key={m.id}
                    message={m}
                    earlier={earlier}
                    onOpenCitation={openCitation}
                    onRegenerate={
                      !busy && m.id === latest.answerId && latest.questionId && !m.id.startsWith("pending-")
                        ? () => void send("", { regenerate: m.id, questionId: latest.questionId! })
                        : undefined
                    }
                    onEdit={
                      !busy && m.id === latest.questionId && !m.id.startsWith("pending-") && !m.redacted
                        ? (text) => void send(text, { editOf: m.id })
                        : undefined
                    }
                  />
                ))
              )}
              <div ref={endRef} />
            </div>
            {error ? (
              <p
                role="alert"
                className="mt-4 rounded-md border border-red-300 dark:border-red-800 bg-red-50 dark:bg-red-950 p-3 text-sm text-red-900 dark:text-red-200"
                data-testid="chat-error"
              >
                {error}
              </p>
            ) : null}
            <Composer
              busy={busy}
              stage={stage}
              onSend={(text) => void send(text)}
              onStop={stop}
              asOf={asOf}
              onAsOfChange={setAsOf}
            />
          </>
        )}
        <p className="sr-only" aria-live="polite" data-testid="chat-announcement">
          {announcement}
        </p>
      </section>
      {panel ? (
        <CitationPanel
          key={`${panel.citation.chunkId}:${panel.citation.n}`}
          citation={panel.citation}
          onClose={() => {
            const opener = panel.opener;
            setPanel(null);
            opener?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
