// HTML → blocks, shared by the HTML parser, the DOCX parser (via mammoth's HTML) and raw HTML in
// Markdown. Walks the parsed tree once in document order; active content is dropped, and hidden
// text is removed (and reported) first by html-hidden.ts, so that neither scripts nor invisible
// text (a prompt-injection vector) reach the index.

import { load } from "cheerio";
import { ParseError } from "@/lib/documents/parsed";
import type { BlockSink } from "./blocks";
import { removeHiddenText } from "./html-hidden";
import { collapseSpace } from "./text-utils";

/** The structural subset of domhandler's nodes this module reads. */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

const DROPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "object",
  "embed",
  "svg",
  "canvas",
  "head",
  "select",
  "button",
]);
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "body",
  "caption",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "header",
  "hr",
  "html",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "ul",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
]);
const HEADING = /^h([1-6])$/;
/** Beyond this nesting the walker stops recursing and takes the subtree's text as one run. */
const MAX_DEPTH = 200;

function isElement(node: DomNode): boolean {
  return node.type === "tag" || node.type === "script" || node.type === "style";
}

function isDropped(node: DomNode): boolean {
  if (!isElement(node)) return node.type !== "text";
  if (DROPPED.has(node.name ?? "")) return true;
  // Styled-away text was removed (and reported) before the walk; aria-hidden marks decoration.
  return node.attribs?.["aria-hidden"] === "true";
}

/**
 * Text of a subtree without recursion (safe on absurdly deep markup); block boundaries become
 * spaces, <br> becomes a newline, and `skip` prunes elements handled elsewhere.
 */
function textOf(root: DomNode, skip?: (node: DomNode) => boolean): string {
  const parts: string[] = [];
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === "text") {
      parts.push(node.data ?? "");
      continue;
    }
    if (node !== root && (isDropped(node) || skip?.(node))) continue;
    if (node.name === "br") parts.push("\n");
    else if (node.name === "img" && node.attribs?.alt) parts.push(` ${node.attribs.alt} `);
    else if (BLOCK.has(node.name ?? "")) parts.push(" ");
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return parts.join("");
}

/** Collapses spaces but keeps explicit line breaks (from <br>) as lines. */
function tidyLines(raw: string): string {
  return raw.split("\n").map(collapseSpace).filter(Boolean).join("\n");
}

class HtmlWalker {
  private inline: string[] = [];

  constructor(private readonly sink: BlockSink) {}

  walk(node: DomNode, depth: number): void {
    if (node.type === "text") {
      this.inline.push(node.data ?? "");
      return;
    }
    if (node.type === "root") return this.walkChildren(node, depth);
    if (isDropped(node)) return;
    const name = node.name ?? "";
    if (depth > MAX_DEPTH) {
      this.inline.push(" ", textOf(node), " ");
      return;
    }
    const heading = HEADING.exec(name);
    if (heading) {
      this.flush();
      this.sink.add("heading", collapseSpace(textOf(node)), { level: Number(heading[1]) });
    } else if (name === "ul" || name === "ol") {
      this.flush();
      const lines: string[] = [];
      renderList(node, 0, lines);
      this.sink.add("list", lines.join("\n"));
    } else if (name === "dl") {
      this.flush();
      this.sink.add("list", renderDefinitions(node));
    } else if (name === "table") {
      this.flush();
      this.table(node);
    } else if (name === "pre") {
      this.flush();
      this.sink.add("code", textOf(node).replace(/\r\n?/g, "\n"));
    } else if (name === "br") {
      this.inline.push("\n");
    } else if (name === "img") {
      if (node.attribs?.alt) this.inline.push(` ${node.attribs.alt} `);
    } else if (BLOCK.has(name)) {
      this.flush();
      this.walkChildren(node, depth);
      this.flush();
    } else {
      this.walkChildren(node, depth);
    }
  }

  private walkChildren(node: DomNode, depth: number): void {
    for (const child of node.children ?? []) this.walk(child, depth + 1);
  }

  flush(): void {
    if (this.inline.length === 0) return;
    this.sink.add("paragraph", tidyLines(this.inline.join("")));
    this.inline = [];
  }

  /**
   * One block of "cell | cell" lines, header rows first. Headings inside cells (layout tables,
   * registries) become heading blocks before their row so they still give sections a path.
   */
  private table(table: DomNode): void {
    const { caption, rows } = collectRows(table);
    if (caption) this.sink.add("paragraph", collapseSpace(textOf(caption)));
    let lines: string[] = [];
    for (const row of rows) {
      const cells = (row.children ?? []).filter((c) => c.name === "td" || c.name === "th");
      const headings = cells.flatMap((cell) => findHeadings(cell));
      if (headings.length > 0) {
        this.sink.add("table", lines.join("\n"));
        lines = [];
        for (const h of headings)
          this.sink.add("heading", collapseSpace(textOf(h)), { level: Number(h.name!.slice(1)) });
      }
      const texts = cells.map((cell) => collapseSpace(textOf(cell, (n) => HEADING.test(n.name ?? ""))));
      while (texts.length > 0 && texts[texts.length - 1] === "") texts.pop();
      if (texts.length > 0) lines.push(texts.join(" | "));
    }
    this.sink.add("table", lines.join("\n"));
  }
}

function collectRows(table: DomNode): { caption?: DomNode; rows: DomNode[] } {
  const head: DomNode[] = [];
  const body: DomNode[] = [];
  const foot: DomNode[] = [];
  let caption: DomNode | undefined;
  for (const child of table.children ?? []) {
    if (child.name === "caption") caption = child;
    else if (child.name === "tr") body.push(child);
    else if (child.name === "thead" || child.name === "tbody" || child.name === "tfoot") {
      const target = child.name === "thead" ? head : child.name === "tfoot" ? foot : body;
      for (const row of child.children ?? []) if (row.name === "tr") target.push(row);
    }
  }
  return { caption, rows: [...head, ...body, ...foot] };
}

function findHeadings(cell: DomNode): DomNode[] {
  const found: DomNode[] = [];
  const stack = [...(cell.children ?? [])].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isDropped(node) || node.name === "table") continue;
    if (HEADING.test(node.name ?? "")) found.push(node);
    else for (let i = (node.children ?? []).length - 1; i >= 0; i--) stack.push(node.children![i]!);
  }
  return found;
}

function renderList(list: DomNode, depth: number, lines: string[]): void {
  const ordered = list.name === "ol";
  let n = Number.parseInt(list.attribs?.start ?? "1", 10);
  if (!Number.isFinite(n)) n = 1;
  const indent = "  ".repeat(Math.min(depth, 8));
  const isNestedList = (node: DomNode) => node.name === "ul" || node.name === "ol";
  for (const item of list.children ?? []) {
    // A list directly inside a list is invalid HTML but common in generated markup.
    if (isNestedList(item)) renderList(item, depth + 1, lines);
    if (item.name !== "li") continue;
    const text = collapseSpace(textOf(item, isNestedList));
    if (text) lines.push(`${indent}${ordered ? `${n}.` : "-"} ${text}`);
    n++;
    for (const child of item.children ?? []) if (isNestedList(child)) renderList(child, depth + 1, lines);
  }
}

function renderDefinitions(dl: DomNode): string {
  const lines: string[] = [];
  let term = "";
  for (const child of dl.children ?? []) {
    const text = collapseSpace(textOf(child));
    if (child.name === "dt") term = text;
    else if (child.name === "dd" && text) lines.push(term ? `${term}: ${text}` : text);
  }
  return lines.join("\n");
}

/** Parsing time grows with the square of nesting depth; real pages stay in the tens. */
export const MAX_HTML_NESTING = 1000;
// Elements whose end tag is optional (or that have none) would inflate a naive depth count.
const NOT_NESTING = new Set([
  "area",
  "base",
  "br",
  "col",
  "colgroup",
  "dd",
  "dt",
  "embed",
  "hr",
  "img",
  "input",
  "li",
  "link",
  "meta",
  "option",
  "optgroup",
  "p",
  "param",
  "rp",
  "rt",
  "source",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "track",
  "wbr",
]);

/** An upper estimate of element nesting from the tags alone, before handing the text to a parser. */
function nestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(\/?)>/g)) {
    const name = match[2]!.toLowerCase();
    if (NOT_NESTING.has(name) || match[3]) continue;
    depth = match[1] ? Math.max(0, depth - 1) : depth + 1;
    if (depth > max) max = depth;
  }
  return max;
}

/** Appends the blocks of an HTML document or fragment; returns its <title>, if any. */
export function htmlToBlocks(html: string, sink: BlockSink): { title?: string } {
  if (nestingDepth(html) > MAX_HTML_NESTING) {
    throw new ParseError(
      "corrupt",
      `The HTML is nested more than ${MAX_HTML_NESTING} levels deep and cannot be read safely.`,
    );
  }
  const $ = load(html);
  const title = collapseSpace($("title").first().text()) || undefined;
  removeHiddenText($, sink);
  const walker = new HtmlWalker(sink);
  walker.walk($.root()[0]!, 0);
  walker.flush();
  return { title };
}
