"use client";

import Link from "next/link";
import { useState } from "react";
import { CloseIcon } from "@/components/ui/icons";
import { secondaryButtonClass } from "@/components/ui/styles";
import type { ConversationSummaryJson } from "@/lib/chat/types";

/** The asker's own conversations, newest first, with a button to start a new one. */
export function ConversationList({
  conversations,
  activeId,
  onNew,
  onDeleted,
}: {
  conversations: ConversationSummaryJson[];
  activeId: string | null;
  onNew: () => void;
  onDeleted: (id: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);

  async function remove(c: ConversationSummaryJson) {
    if (!window.confirm(`Delete the conversation "${c.title}"? This cannot be undone.`)) return;
    setError(null);
    const res = await fetch(`/api/conversations/${c.id}`, { method: "DELETE" });
    if (res.ok) onDeleted(c.id);
    else setError(((await res.json()) as { error: { message: string } }).error.message);
  }

  return (
    <nav aria-label="Conversations" className="min-w-0">
      <button type="button" onClick={onNew} className={`${secondaryButtonClass} w-full`} data-testid="new-chat">
        New chat
      </button>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <h2 className="mt-4 text-sm font-semibold text-gray-900">Your conversations</h2>
      {conversations.length === 0 ? (
        <p className="mt-2 text-sm text-gray-700">None yet.</p>
      ) : (
        <ul className="mt-2 space-y-1" data-testid="conversation-list">
          {conversations.map((c) => (
            <li key={c.id} className="group flex items-center gap-1">
              <Link
                href={`/chat/${c.id}`}
                aria-current={c.id === activeId ? "page" : undefined}
                className="block min-w-0 flex-1 truncate rounded-md px-2 py-1 text-sm text-gray-900 hover:bg-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 aria-[current=page]:bg-blue-50 aria-[current=page]:font-semibold aria-[current=page]:text-blue-900"
                data-testid="conversation-link"
                title={c.title}
              >
                {c.title}
              </Link>
              <button
                type="button"
                onClick={() => remove(c)}
                className="rounded px-1 text-xs text-gray-600 hover:bg-red-50 hover:text-red-800 focus-visible:outline-2 focus-visible:outline-blue-700"
                aria-label={`Delete conversation: ${c.title}`}
                data-testid="conversation-delete"
              >
                <CloseIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
