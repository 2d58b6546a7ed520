"use client";

import { useRef, useState } from "react";
import { describeSecrets, findObviousSecrets, type ObviousSecret } from "@/lib/privacy/secret-check";
import { AsOfPicker } from "./as-of-picker";
import { Button } from "@/components/ui/button";

const MAX_LENGTH = 4000;

/**
 * The question box: Enter sends, Shift+Enter starts a new line; Stop ends an answer being written.
 * A question that holds a password, a private key or an API key is held back in the browser until
 * the asker confirms it (a modal dialog: Escape or "Edit the question" go back to the box with the
 * secret selected).
 */
export function Composer({
  busy,
  stage,
  onSend,
  onStop,
  asOf,
  onAsOfChange,
}: {
  busy: boolean;
  stage: string | null;
  onSend: (text: string) => void;
  onStop: () => void;
  /** The "as of" day (yyyy-mm-dd) for the next question, or "" for today. */
  asOf: string;
  onAsOfChange: (day: string) => void;
}) {
  const [text, setText] = useState("");
  const [secrets, setSecrets] = useState<ObviousSecret[]>([]);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  function send() {
    const question = text.trim();
    setText("");
    onSend(question);
  }

  function submit() {
    if (!text.trim() || busy) return;
    const found = findObviousSecrets(text);
    if (found.length > 0) {
      setSecrets(found);
      dialogRef.current?.showModal();
      return;
    }
    send();
  }

  function backToEditing() {
    dialogRef.current?.close();
    const first = secrets[0];
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    if (first) input.setSelectionRange(first.start, first.end);
  }

  const what = describeSecrets(secrets);

  return (
    <form
      className="mt-4"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="chat-input" className="block text-sm font-medium text-gray-900 dark:text-gray-100">
        Your question
      </label>
      <textarea
        id="chat-input"
        ref={inputRef}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
        rows={3}
        maxLength={MAX_LENGTH}
        aria-describedby="chat-input-help"
        className="mt-1 block w-full resize-y rounded-md border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-3 py-2 text-sm text-gray-900 dark:text-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
        data-testid="chat-input"
      />
      <AsOfPicker value={asOf} onChange={onAsOfChange} disabled={busy} />
      <div className="mt-2 flex flex-wrap items-center gap-3">
        {busy ? (
          <Button variant="secondary" type="button" onClick={onStop} data-testid="chat-stop">
            Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!text.trim()} data-testid="chat-send">
            Ask
          </Button>
        )}
        <p id="chat-input-help" className="text-xs text-gray-700 dark:text-gray-300">
          {busy && stage ? <span data-testid="chat-stage">{stage}…</span> : "Enter to ask, Shift+Enter for a new line."}
        </p>
      </div>
      <dialog
        ref={dialogRef}
        aria-labelledby="secret-warning-title"
        aria-describedby="secret-warning-text"
        onCancel={(e) => {
          // Escape: back to the question, as "Edit the question" does.
          e.preventDefault();
          backToEditing();
        }}
        className="m-auto max-w-md rounded-lg border border-gray-400 dark:border-gray-600 bg-white p-5 text-gray-950 dark:bg-gray-900 dark:text-gray-100 backdrop:bg-gray-900/40"
        data-testid="secret-warning"
      >
        <h2 id="secret-warning-title" className="text-lg font-semibold">
          This looks like {what}
        </h2>
        <p id="secret-warning-text" className="mt-2 text-sm text-gray-800 dark:text-gray-200">
          Your question seems to contain {what}. Questions are kept in your conversation history and in the audit trail;
          credentials should never be shared, not even with this assistant. Edit the question to remove it, or send it
          anyway if you are sure.
        </p>
        <div className="mt-4 flex flex-wrap gap-2">
          {/* The safe choice has the focus when the dialog opens. */}
          <Button type="button" onClick={backToEditing} autoFocus data-testid="secret-warning-edit">
            Edit the question
          </Button>
          <Button
            variant="secondary"
            type="button"
            onClick={() => {
              dialogRef.current?.close();
              send();
            }}
            data-testid="secret-warning-send"
          >
            Send anyway
          </Button>
        </div>
      </dialog>
    </form>
  );
}
