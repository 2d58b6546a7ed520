"use client";

import { useState } from "react";
import { buttonClass, secondaryButtonClass } from "@/components/ui/styles";

const MAX_LENGTH = 4000;

/** The question box: Enter sends, Shift+Enter starts a new line; Stop ends an answer being written. */
export function Composer({ busy, stage, onSend, onStop }: { busy: boolean; stage: string | null; onSend: (text: string) => void; onStop: () => void }) {
  const [text, setText] = useState("");

  function submit() {
    const question = text.trim();
    if (!question || busy) return;
    setText("");
    onSend(question);
  }

  return (
    <form
      className="mt-4"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="chat-input" className="block text-sm font-medium text-gray-900">
        Your question
      </label>
      <textarea
        id="chat-input"
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
        className="mt-1 block w-full resize-y rounded-md border border-gray-400 bg-white px-3 py-2 text-sm text-gray-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
        data-testid="chat-input"
      />
      <div className="mt-2 flex flex-wrap items-center gap-3">
        {busy ? (
          <button type="button" onClick={onStop} className={secondaryButtonClass} data-testid="chat-stop">
            Stop
          </button>
        ) : (
          <button type="submit" className={buttonClass} disabled={!text.trim()} data-testid="chat-send">
            Ask
          </button>
        )}
        <p id="chat-input-help" className="text-xs text-gray-700">
          {busy && stage ? (
            <span data-testid="chat-stage">{stage}…</span>
          ) : (
            "Enter to ask, Shift+Enter for a new line."
          )}
        </p>
      </div>
    </form>
  );
}
