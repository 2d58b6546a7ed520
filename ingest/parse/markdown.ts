// Markdown → blocks via marked's lexer (no HTML rendering): headings keep their levels, so
// Markdown documents get exact heading paths; raw HTML blocks go through the HTML extractor.

import { Lexer, type Token, type Tokens } from "marked";
import type { ParsedDocument } from "@/lib/documents/parsed";
import { BlockSink, finishDocument } from "./blocks";
import { decodeEntities } from "./entities";
import { htmlToBlocks } from "./html-blocks";
import { collapseSpace, normalizeNewlines } from "./text-utils";

const RAW_TEXT_TAG = /^<(script|style|noscript|template|iframe|textarea)\b/i;

// marked recurses once per nesting level: thousands of ">" or of indented list levels overflow the
// stack or exhaust memory. Real documents stay far below these caps.
const MAX_QUOTE_DEPTH = 64;
const MAX_INDENT_CHARS = 128;

/** Caps blockquote depth and indentation per line; only hostile input is changed. */
function limitNesting(src: string): string {
  return src
    .replace(/^(?:[ \t]{0,3}>){65,}/gm, ">".repeat(MAX_QUOTE_DEPTH))
    .replace(/^[ \t]{129,}/gm, " ".repeat(MAX_INDENT_CHARS));
}

/** Strips a leading YAML front-matter block; its `title:` is the only field worth keeping. */
export function splitFrontMatter(src: string): { body: string; title?: string } {
  const match = /^---[ \t]*\n([\s\S]*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)/.exec(src);
  if (!match) return { body: src };
  const titleLine = /^title:[ \t]*(.+)$/m.exec(match[1] ?? "");
  const title = titleLine?.[1]?.trim().replace(/^(["'])(.*)\1$/, "$2");
  return { body: src.slice(match[0].length), title: title || undefined };
}

/** Inline tokens → text. Soft line breaks flow as spaces; hard breaks become "\n". */
function inlineText(tokens: Token[] | undefined): string {
  const parts: string[] = [];
  let skipUntil: string | undefined;
  const visit = (list: Token[]) => {
    for (const token of list) {
      if (skipUntil) {
        if (token.type === "html" && token.text.toLowerCase().startsWith(`</${skipUntil}`)) skipUntil = undefined;
        continue;
      }
      switch (token.type) {
        case "text":
        case "escape":
          if ("tokens" in token && token.tokens?.length) visit(token.tokens);
          else parts.push(decodeEntities(token.text).replace(/\s+/g, " "));
          break;
        case "codespan":
          parts.push(token.text);
          break;
        case "image":
          parts.push(token.text);
          break;
        case "br":
          parts.push("\n");
          break;
        case "html": {
          const raw = RAW_TEXT_TAG.exec(token.text);
          if (raw) skipUntil = raw[1]!.toLowerCase();
          else if (/^<br\s*\/?>$/i.test(token.text)) parts.push("\n");
          break;
        }
        default:
          if ("tokens" in token && token.tokens) visit(token.tokens);
          else if ("text" in token && typeof token.text === "string") parts.push(decodeEntities(token.text));
      }
    }
  };
  visit(tokens ?? []);
  return parts.join("");
}

function tidy(text: string): string {
  return text.split("\n").map(collapseSpace).filter(Boolean).join("\n");
}

function renderList(list: Tokens.List, depth: number, lines: string[]): void {
  let n = typeof list.start === "number" ? list.start : 1;
  const indent = "  ".repeat(Math.min(depth, 8));
  for (const item of list.items) {
    const own: string[] = [];
    const nested: Tokens.List[] = [];
    for (const token of item.tokens) {
      if (token.type === "list") nested.push(token as Tokens.List);
      else if (token.type === "text" || token.type === "paragraph") own.push(inlineText(token.tokens ?? []));
      else if (token.type === "code") own.push(token.text);
      else if (token.type !== "space" && "text" in token && typeof token.text === "string")
        own.push(inlineText([token]));
    }
    const checkbox = item.task ? (item.checked ? "[x] " : "[ ] ") : "";
    const text = collapseSpace(own.join(" "));
    if (text) lines.push(`${indent}${list.ordered ? `${n}.` : "-"} ${checkbox}${text}`);
    n++;
    for (const sub of nested) renderList(sub, depth + 1, lines);
  }
}

function renderTable(table: Tokens.Table): string {
  const row = (cells: Tokens.TableCell[]) => cells.map((c) => collapseSpace(inlineText(c.tokens))).join(" | ");
  return [row(table.header), ...table.rows.map(row)].filter((line) => line.replace(/[|\s]/g, "") !== "").join("\n");
}

function emitBlocks(tokens: Token[], sink: BlockSink): void {
  for (const token of tokens) {
    switch (token.type) {
      case "heading":
        sink.add("heading", collapseSpace(inlineText(token.tokens)), { level: token.depth });
        break;
      case "paragraph":
      case "text":
        sink.add("paragraph", tidy(inlineText(token.tokens ?? [{ type: "text", raw: token.raw, text: token.text }])));
        break;
      case "list": {
        const lines: string[] = [];
        renderList(token as Tokens.List, 0, lines);
        sink.add("list", lines.join("\n"));
        break;
      }
      case "table":
        sink.add("table", renderTable(token as Tokens.Table));
        break;
      case "code":
        sink.add("code", token.text);
        break;
      case "blockquote":
        emitBlocks(token.tokens ?? [], sink);
        break;
      case "html":
        // Most raw HTML in real Markdown is anchors and spacers; only parse what carries text.
        if (token.text.replace(/<[^>]*>/g, "").trim() !== "") htmlToBlocks(token.text, sink);
        break;
      default:
        break; // space, hr, def: no text of their own
    }
  }
}

export function parseMarkdown(text: string): ParsedDocument {
  const { body, title } = splitFrontMatter(normalizeNewlines(text));
  const sink = new BlockSink();
  emitBlocks(new Lexer({ gfm: true }).lex(limitNesting(body)), sink);
  return finishDocument("markdown", sink, { title: title ?? sink.firstHeading() });
}
