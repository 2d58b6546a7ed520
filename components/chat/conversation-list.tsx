"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { CloseIcon } from "@/components/ui/icons";
import type { ConversationSummaryJson } from "@/lib/chat/types";
import { Input } from "@/components/ui/field";
import { Button } from "@/components/ui/button";

// The asker's own conversations: newest first, a page at a time, searchable by title and by
// anything said in them (GET /api/conversations?q=), each one renamable and deletable.

interface Page {
  conversations: ConversationSummaryJson[];
  nextCursor: string | null;
}

async function fetchPage(q: string, cursor: string | null, signal?: AbortSignal): Promise<Page> {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (cursor) params.set("cursor", cursor);
  const res = await fetch(`/api/conversations?${params}`, { cache: "no-store", signal });
  if (!res.ok) throw new Error(((await res.json()) as { error: { message: string } }).error.message);
  return (await res.json()) as Page;
}

function ConversationItem({
  c,
  active,
  onRename,
  onDelete,
}: {
  c: ConversationSummaryJson;
  active: boolean;
  onRename: (c: ConversationSummaryJson, title: string) => Promise<boolean>;
  onDelete: (c: ConversationSummaryJson) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(c.title);
  if (editing) {
    return (
      <li>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await onRename(c, title)) setEditing(false);
          }}
        >
          <label className="sr-only" htmlFor={`rename-${c.id}`}>
            New title for {c.title}
          </label>
          <Input
            id={`rename-${c.id}`}
            value={title}
            maxLength={200}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.stopPropagation();
                setTitle(c.title);
                setEditing(false);
              }
            }}
            data-testid="conversation-rename-input"
          />
        </form>
      </li>
    );
  }
  return (
    <li className="group flex items-center gap-1">
      <Link
        href={`/chat/${c.id}`}
        aria-current={active ? "page" : undefined}
        className="block min-w-0 flex-1 truncate rounded-md px-2 py-1 text-sm text-gray-900 dark:text-gray-100 hover:bg-gray-100 dark:hover:bg-gray-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 aria-[current=page]:bg-blue-50 dark:aria-[current=page]:bg-blue-950 aria-[current=page]:font-semibold aria-[current=page]:text-blue-900 dark:aria-[current=page]:text-blue-200"
        data-testid="conversation-link"
        title={c.title}
      >
        {c.title}
      </Link>
      <button
        type="button"
        onClick={() => {
          setTitle(c.title);
          setEditing(true);
        }}
        className="rounded px-1 text-xs text-gray-700 dark:text-gray-300 hover:bg-gray-100 dark:hover:bg-gray-800 hover:text-gray-950 dark:hover:text-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
        aria-label={`Rename conversation: ${c.title}`}
        data-testid="conversation-rename"
      >
        Rename
      </button>
      <button
        type="button"
        onClick={() => onDelete(c)}
        className="rounded px-1 text-xs text-gray-600 dark:text-gray-400 hover:bg-red-50 dark:hover:bg-red-950 hover:text-red-800 dark:hover:text-red-300 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
        aria-label={`Delete conversation: ${c.title}`}
        data-testid="conversation-delete"
      >
        <CloseIcon />
      </button>
    </li>
  );
}

export function ConversationList({
  conversations,
  nextCursor: initialCursor,
  activeId,
  onNew,
  onDeleted,
  onRenamed,
}: {
  conversations: ConversationSummaryJson[];
  nextCursor: string | null;
  activeId: string | null;
  onNew: () => void;
  onDeleted: (id: string) => void;
  onRenamed: (id: string, title: string) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  // Older pages of the unfiltered list, and the search's own pages; the first page is the parent's.
  const [older, setOlder] = useState<Page>({ conversations: [], nextCursor: initialCursor });
  const [found, setFound] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const q = query.trim();

  useEffect(() => {
    if (!q) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      fetchPage(q, null, controller.signal)
        .then((page) => {
          setFound(page);
          setError(null);
        })
        .catch((err: Error) => {
          if (!controller.signal.aborted) setError(err.message);
        })
        .finally(() => setLoading(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const shown = q
    ? (found?.conversations ?? [])
    : [...conversations, ...older.conversations.filter((o) => !conversations.some((c) => c.id === o.id))];
  const cursor = q ? (found?.nextCursor ?? null) : older.nextCursor;

  async function more() {
    setLoading(true);
    try {
      const page = await fetchPage(q, cursor);
      const merge = (p: Page | null): Page => ({
        conversations: [...(p?.conversations ?? []), ...page.conversations],
        nextCursor: page.nextCursor,
      });
      if (q) setFound(merge);
      else setOlder(merge);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }

  const forget = (id: string) => (p: Page) => ({ ...p, conversations: p.conversations.filter((c) => c.id !== id) });
  const retitle = (id: string, title: string) => (p: Page) => ({
    ...p,
    conversations: p.conversations.map((c) => (c.id === id ? { ...c, title } : c)),
  });

  async function remove(c: ConversationSummaryJson) {
    if (!window.confirm(`Delete the conversation "${c.title}"? This cannot be undone.`)) return;
    setError(null);
    const res = await fetch(`/api/conversations/${c.id}`, { method: "DELETE" });
    if (!res.ok) {
      setError(((await res.json()) as { error: { message: string } }).error.message);
      return;
    }
    setOlder(forget(c.id));
    setFound((p) => (p ? forget(c.id)(p) : p));
    onDeleted(c.id);
  }

  async function rename(c: ConversationSummaryJson, title: string): Promise<boolean> {
    setError(null);
    const res = await fetch(`/api/conversations/${c.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    const body = (await res.json()) as { title?: string; error?: { message: string } };
    if (!res.ok) {
      setError(body.error!.message);
      return false;
    }
    setOlder(retitle(c.id, body.title!));
    setFound((p) => (p ? retitle(c.id, body.title!)(p) : p));
    onRenamed(c.id, body.title!);
    return true;
  }

  return (
    <nav aria-label="Conversations" className="min-w-0">
      <Button variant="secondary" className="w-full" type="button" onClick={onNew} data-testid="new-chat">
        New chat
      </Button>
      <div className="mt-4">
        <label htmlFor="conversation-search" className="block text-sm font-semibold text-gray-900 dark:text-gray-100">
          Search your conversations
        </label>
        <Input
          className="mt-1"
          id="conversation-search"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="A word from a title, question or answer"
          maxLength={200}
          data-testid="conversation-search"
        />
      </div>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-300">
          {error}
        </p>
      ) : null}
      <h2 className="mt-4 text-sm font-semibold text-gray-900 dark:text-gray-100">
        {q ? "Matching conversations" : "Your conversations"}
      </h2>
      {shown.length === 0 ? (
        <p className="mt-2 text-sm text-gray-700 dark:text-gray-300" data-testid="conversation-none">
          {q ? (loading || !found ? "Searching…" : "No conversation mentions this.") : "None yet."}
        </p>
      ) : (
        <ul className="mt-2 space-y-1" data-testid="conversation-list">
          {shown.map((c) => (
            <ConversationItem key={c.id} c={c} active={c.id === activeId} onRename={rename} onDelete={remove} />
          ))}
        </ul>
      )}
      {cursor ? (
        <Button
          variant="secondary"
          className="mt-2 w-full"
          type="button"
          onClick={more}
          disabled={loading}
          data-testid="conversation-more"
        >
          {loading ? "Loading…" : "Show older conversations"}
        </Button>
      ) : null}
    </nav>
  );
}
