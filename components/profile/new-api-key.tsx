"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";

/** Shows a just-created key once, with a copy button that also works without the Clipboard API (plain HTTP). */
export function NewApiKey({ name, apiKey }: { name: string; apiKey: string }) {
  const codeRef = useRef<HTMLElement>(null);
  const [copyStatus, setCopyStatus] = useState("");

  function selectKey(): boolean {
    const node = codeRef.current;
    const selection = window.getSelection();
    if (!node || !selection) return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }

  async function copy() {
    if (window.isSecureContext && navigator.clipboard) {
      try {
        await navigator.clipboard.writeText(apiKey);
        setCopyStatus("Copied to the clipboard.");
        return;
      } catch {
        // Permission refused: fall through to selecting the text.
      }
    }
    const copied = selectKey() && document.execCommand("copy");
    setCopyStatus(copied ? "Copied to the clipboard." : "The key is selected; press Ctrl+C (or ⌘C) to copy it.");
  }

  return (
    <div
      className="space-y-3 rounded-md border-2 border-amber-600 dark:border-amber-400 bg-amber-50 dark:bg-amber-950 p-4"
      data-testid="new-api-key-box"
    >
      <p className="text-sm font-semibold text-gray-950 dark:text-gray-100">New API key “{name}”</p>
      <p className="text-sm text-gray-900 dark:text-gray-100">
        Copy this key now and keep it somewhere safe. It will not be shown again; if you lose it, revoke it and create
        another.
      </p>
      <code
        ref={codeRef}
        data-testid="new-api-key"
        className="block break-all rounded border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-3 py-2 font-mono text-sm"
      >
        {apiKey}
      </code>
      <div className="flex items-center gap-3">
        <Button variant="secondary" type="button" onClick={copy} data-testid="copy-api-key">
          Copy key
        </Button>
        <p role="status" className="text-sm text-gray-900 dark:text-gray-100">
          {copyStatus}
        </p>
      </div>
    </div>
  );
}
