import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import { AnswerMarkdown } from "./answer-markdown";
import { sentenceKey } from "./answer-marks";

function citation(n: number): Citation {
  return {
    n,
    chunkId: `c${n}`,
    documentId: "d",
    versionId: "v",
    versionNumber: 1,
    versionSha256: null,
    title: "protocol.pdf",
    headingPath: "",
    pageStart: 2,
    pageEnd: 2,
    charStart: 0,
    charEnd: 10,
    text: "passage",
  };
}

function render(
  text: string,
  opts: { citations?: Citation[]; sentences?: AnswerSentence[]; streaming?: boolean } = {},
) {
  return renderToStaticMarkup(
    createElement(AnswerMarkdown, {
      text,
      citations: opts.citations ?? [],
      sentences: opts.sentences ?? [],
      streaming: opts.streaming ?? false,
      onOpen: () => undefined,
    }),
  );
}

describe("formatted answers", () => {
  it("renders a GitHub table with a citation chip inside a cell", () => {
    const html = render("| Dressing | Change |\n|---|---|\n| Transparent | every 7 days [1] |\n", {
      citations: [citation(1)],
    });
    expect(html).toContain('data-testid="answer-table"');
    expect(html).toMatch(
      /<td>every 7 days <span class="relative inline-block"><button[^>]*data-testid="citation-chip"[^>]*data-n="1"/,
    );
    expect(html).toContain('aria-label="Source 1: protocol.pdf, version 1, page 2"');
  });

  it("drops raw HTML, scripts, event handlers and images, and shows links as text", () => {
    const html = render(
      'Safe <b onclick="x()">bold</b><script>alert(1)</script> <img src="http://x.example/p.png"> ' +
        "![tracker](http://x.example/t.png) [link](javascript:alert(1)) <iframe src=x></iframe>",
    );
    expect(html).not.toMatch(/<script|<img|<iframe|onclick|<b>|href=|javascript:|x\.example/);
    expect(html).toContain("link");
  });

  it("does not make a chip of a marker in code, nor of one a citation check did not keep", () => {
    const html = render("Use `a[1]` here [2].", { citations: [citation(1)] });
    expect(html).toContain("<code>a[1]</code>");
    expect(html).not.toContain('data-testid="citation-chip"');
    expect(html).toContain('data-testid="citation-pending"');
  });

  it("marks a weakly supported sentence inside a list item, across its bold text", () => {
    const sentence = "- Gauze is **changed daily** [1].";
    const html = render(`Intro sentence [1].\n\n${sentence}\n- Another item.\n`, {
      citations: [citation(1)],
      sentences: [
        { text: "Intro sentence [1].", citations: [1], support: "supported", supportScore: 1 },
        { text: sentence, citations: [1], support: "weak", supportScore: 0.2 },
        { text: "- Another item.", citations: [], support: "uncited", supportScore: 1 },
      ],
    });
    const li = /<li>(.*?)<\/li>/s.exec(html)![1]!;
    expect(li).toContain('data-testid="answer-weak"');
    expect(li).toContain("<strong><span");
    expect(li).toContain("(weakly supported)");
    expect(html.match(/data-testid="answer-weak-note"/g)).toHaveLength(1);
    expect(/<p>(.*?)<\/p>/s.exec(html)![1]).not.toContain("answer-weak");
  });

  it("puts the streaming cursor inside the last paragraph", () => {
    const html = render("First.\n\nSecond is being writ", { streaming: true });
    expect(html).toMatch(/<p>Second is being writ<span[^>]*data-testid="answer-streaming"/);
  });

  it("matches a sentence by its rendered text", () => {
    expect(sentenceKey("1. See [the form](http://x) for **details** [2].")).toBe("Seetheformfordetails[2].");
  });
});
