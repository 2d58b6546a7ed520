import { INJECTION_LABELS } from "@/lib/privacy/injection";
import { describePiiCounts } from "@/lib/privacy/pii-types";
import type { DocumentRow } from "./documents-table";

const HIDDEN_LABELS: Record<string, string> = {
  display_none: "display: none",
  visibility_hidden: "visibility: hidden",
  hidden_attribute: "hidden attribute",
  transparent: "transparent",
  same_color: "text in the background colour",
  tiny_font: "tiny font",
  off_screen: "placed off screen",
  clipped: "clipped to nothing",
  vanish: "Word hidden text",
  invisible_characters: "invisible characters",
};

/** What the privacy scan found in a document's newest version, for those who manage it. */
export function PrivacyFindings({ doc }: { doc: DocumentRow }) {
  const scan = doc.scan;
  if (!scan) return <p className="text-sm text-gray-700 dark:text-gray-300">No privacy scan for this version yet.</p>;
  const pii = describePiiCounts(scan.pii);
  const masked = describePiiCounts(scan.masked);
  return (
    <div className="space-y-3 text-sm" data-testid="privacy-findings">
      <p data-testid="privacy-pii">
        <span className="font-medium">Personal data:</span> {pii || "none found"}
        {masked ? (
          <span className="block text-gray-800 dark:text-gray-200">Masked before indexing: {masked}.</span>
        ) : null}
      </p>
      {scan.injection.length > 0 ? (
        <div>
          <p className="font-medium">Possible prompt injection ({scan.injection.length})</p>
          <ul className="mt-1 space-y-1" data-testid="privacy-injection">
            {scan.injection.map((f, i) => (
              <li
                key={i}
                className="rounded border border-amber-700 dark:border-amber-400 bg-amber-50 dark:bg-amber-950 px-2 py-1"
              >
                <span className="font-medium">{INJECTION_LABELS[f.kind]}</span>
                <span className="text-gray-800 dark:text-gray-200">
                  {" "}
                  (
                  {f.source === "hidden"
                    ? "in hidden text"
                    : f.passage !== null
                      ? `passage ${f.passage + 1}`
                      : "in the text"}
                  , confidence {Math.round(f.confidence * 100)}%)
                </span>
                {f.excerpt !== null ? (
                  <q className="mt-0.5 block font-mono text-xs wrap-anywhere text-gray-900 dark:text-gray-100">
                    {f.excerpt}
                  </q>
                ) : (
                  <span className="mt-0.5 block text-xs text-gray-800 dark:text-gray-200">
                    Excerpt withheld: reading it needs a read grant that reaches this document.
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p>No prompt-injection findings.</p>
      )}
      {scan.hidden.length > 0 ? (
        <div>
          <p className="font-medium">Hidden text left out of the index ({scan.hidden.length})</p>
          <ul className="mt-1 space-y-1" data-testid="privacy-hidden">
            {scan.hidden.map((h, i) => (
              <li
                key={i}
                className="rounded border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-2 py-1"
              >
                <span className="text-gray-800 dark:text-gray-200">
                  {HIDDEN_LABELS[h.reason] ?? h.reason}, {h.chars} characters:
                </span>
                {h.excerpt !== null ? (
                  <q className="mt-0.5 block font-mono text-xs wrap-anywhere text-gray-900 dark:text-gray-100">
                    {h.excerpt}
                  </q>
                ) : (
                  <span className="mt-0.5 block text-xs text-gray-800 dark:text-gray-200">
                    Excerpt withheld: reading it needs a read grant that reaches this document.
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {doc.review ? (
        <p data-testid="privacy-review">
          {doc.review.decision === "released" ? "Released" : "Rejected"} after review
          {doc.review.by ? ` by ${doc.review.by}` : ""}
          {doc.review.note ? `: ${doc.review.note}` : "."}
        </p>
      ) : null}
    </div>
  );
}
