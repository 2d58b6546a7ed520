import "server-only";

// The masked rendition readers open under the `mask` policy: the version's extracted text, in
// which the masked kinds were already replaced before it was stored, as a static HTML page. Each
// page starts at an element whose id is "page=N", so the same `#page=N` link that opens a PDF at
// a page lands on that page here. Nothing from the original file is carried over (no layout, no
// images, no metadata), so nothing masked can survive in it.

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function maskedRendition(version: {
  text: string | null;
  title: string | null;
  originalName: string;
  versionNumber: number;
  pageStarts: number[] | null;
}): string {
  const text = version.text ?? "";
  const starts = version.pageStarts && version.pageStarts.length > 0 ? version.pageStarts : null;
  const sections: string[] = [];
  if (starts) {
    for (let i = 0; i < starts.length; i++) {
      const body = text.slice(starts[i], starts[i + 1] ?? text.length);
      sections.push(
        `<section id="page=${i + 1}"><h2>Page ${i + 1}</h2><pre>${escapeHtml(body.trim())}</pre></section>`,
      );
    }
  } else sections.push(`<section><pre>${escapeHtml(text)}</pre></section>`);
  const title = escapeHtml(version.title ?? version.originalName);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} (masked)</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}pre{white-space:pre-wrap;font:inherit}</style>
</head><body>
<header><h1>${title}</h1><p>Version ${version.versionNumber}. Personal data this collection masks has been removed from this text; the original file is available to the collection's managers.</p></header>
${sections.join("\n")}
</body></html>
`;
}
