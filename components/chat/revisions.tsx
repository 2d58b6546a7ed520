"use client";

import { useState } from "react";
import type { ChatMessage } from "@/lib/chat/types";
import { DateTime } from "@/components/ui/date-time";
import { Button } from "@/components/ui/button";

// Editing the latest question, and the earlier versions an edit or a regeneration replaced: kept
// in the conversation (and in the audit trail), folded away under the message that replaced them.

export function EditQuestion({ initial, onSave }: { initial: string; onSave: (text: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(initial);
  if (!editing)
    return (
      <div className="mt-1 text-right">
        <button
          type="button"
          onClick={() => {
            setText(initial);
            setEditing(true);
          }}
          className="text-xs text-gray-800 dark:text-gray-200 underline underline-offset-2 hover:text-gray-950 dark:hover:text-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          data-testid="edit-question"
        >
          Edit
        </button>
      </div>
    );
  const trimmed = text.trim();
  return (
    <form
      className="mt-2 space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!trimmed) return;
        setEditing(false);
        onSave(trimmed);
      }}
      data-testid="edit-question-form"
    >
      <label htmlFor="edit-question-input" className="block text-xs font-medium text-gray-900 dark:text-gray-100">
        Edit your question (the earlier question and its answer are kept)
      </label>
      <textarea
        id="edit-question-input"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setEditing(false);
        }}
        rows={3}
        maxLength={4000}
        autoFocus
        className="block w-full rounded-md border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-3 py-2 text-sm text-gray-900 dark:text-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
        data-testid="edit-question-input"
      />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" type="button" onClick={() => setEditing(false)}>
          Cancel
        </Button>
        <Button type="submit" disabled={!trimmed || trimmed === initial.trim()} data-testid="edit-question-save">
          Ask again
        </Button>
      </div>
    </form>
  );
}

export function EarlierVersions({ messages, kind }: { messages: ChatMessage[]; kind: "question" | "answer" }) {
  if (messages.length === 0) return null;
  const label =
    kind === "question"
      ? `Edited; earlier wording${messages.length === 1 ? "" : "s"} (${messages.length})`
      : `Earlier answer${messages.length === 1 ? "" : "s"} (${messages.length})`;
  return (
    <details className="mt-2 text-sm" data-testid={kind === "question" ? "earlier-questions" : "earlier-answers"}>
      <summary className="cursor-pointer text-xs text-gray-800 dark:text-gray-200 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400">
        {label}
      </summary>
      <ol className="mt-1 space-y-2">
        {messages.map((m) => (
          <li
            key={m.id}
            className="rounded-md border border-dashed border-gray-400 dark:border-gray-600 bg-gray-50 dark:bg-gray-900 px-3 py-2 text-gray-900 dark:text-gray-100"
            data-testid={kind === "question" ? "earlier-question" : "earlier-answer"}
          >
            <p className="text-xs text-gray-700 dark:text-gray-300">
              <DateTime value={new Date(m.createdAt)} />
              {m.status !== "complete" ? ` · ${m.status}` : ""}
              {m.citations.length > 0
                ? ` · ${m.citations.length} source${m.citations.length === 1 ? "" : "s"}: ${[...new Set(m.citations.map((c) => `${c.title}${c.versionNumber !== null ? ` v${c.versionNumber}` : ""}`))].join(", ")}`
                : ""}
            </p>
            <p className="mt-1 whitespace-pre-wrap">{m.content || "(no text)"}</p>
          </li>
        ))}
      </ol>
    </details>
  );
}
