import type { Element, ElementContent, Root, Text } from "hast";

// Tree transforms that run on an answer's HTML tree after rehype-sanitize: they add elements
// that sanitised Markdown can never contain (custom `kq-` tag names), built from plain text only,
// so a model or a document cannot forge a citation chip or a support mark.

export const CHIP_TAG = "kq-cite";
export const WEAK_TAG = "kq-weak";
export const WEAK_NOTE_TAG = "kq-weak-note";
export const CURSOR_TAG = "kq-cursor";

/** "[3]" as the citation check writes markers: one number per pair of brackets. */
const MARKER = /\[(\d{1,3})\]/g;

/** Characters that Markdown syntax adds or rendering drops; ignored when matching a sentence to its rendering. */
const IGNORED = /[\s*_`~#|>\\]/g;

function isParent(node: Root | Root["children"][number]): node is Root | Element {
  return node.type === "root" || node.type === "element";
}

/** Text nodes in document order, except those in code (a marker there is code, not a citation). */
function textNodes(node: Root | Element, out: { node: Text; parent: Root | Element }[] = []) {
  for (const child of node.children) {
    if (child.type === "text") out.push({ node: child, parent: node });
    else if (isParent(child) && child.tagName !== "code" && child.tagName !== "pre") textNodes(child, out);
  }
  return out;
}

/**
 * What a sentence of the raw answer looks like once rendered, for matching: links keep their
 * text, list markers and heading hashes go, and the characters in IGNORED are dropped.
 */
export function sentenceKey(sentence: string): string {
  return sentence
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s*(?:[-+*]|\d{1,9}[.)])\s+/gm, "")
    .replace(IGNORED, "");
}

/** Replaces one text node by several nodes, in place. */
function splice(parent: Root | Element, node: Text, replacement: ElementContent[]) {
  const i = parent.children.indexOf(node);
  parent.children.splice(i, 1, ...replacement);
}

/**
 * Wraps each weakly supported sentence in WEAK_TAG elements (one per text node it covers, so
 * inline formatting inside the sentence survives) and puts a WEAK_NOTE_TAG after its last piece.
 * A sentence not found in this block (another block holds it) is left alone.
 */
export function markWeak(tree: Root, keys: string[]) {
  for (const key of keys) {
    if (key.length < 4) continue;
    const runs = textNodes(tree);
    // The block's text with ignored characters dropped, and where each kept character came from.
    let flat = "";
    const origin: { run: number; offset: number }[] = [];
    runs.forEach((r, run) => {
      for (let offset = 0; offset < r.node.value.length; offset++) {
        const ch = r.node.value[offset]!;
        if (ch.replace(IGNORED, "") === "") continue;
        flat += ch;
        origin.push({ run, offset });
      }
    });
    const at = flat.indexOf(key);
    if (at < 0) continue;
    const first = origin[at]!;
    const last = origin[at + key.length - 1]!;
    for (let run = last.run; run >= first.run; run--) {
      const { node, parent } = runs[run]!;
      if (parent.type === "element" && parent.tagName === WEAK_TAG) continue;
      const start = run === first.run ? first.offset : 0;
      const end = run === last.run ? last.offset + 1 : node.value.length;
      const pieces: ElementContent[] = [];
      if (start > 0) pieces.push({ type: "text", value: node.value.slice(0, start) });
      pieces.push({
        type: "element",
        tagName: WEAK_TAG,
        properties: {},
        children: [{ type: "text", value: node.value.slice(start, end) }],
      });
      if (run === last.run) pieces.push({ type: "element", tagName: WEAK_NOTE_TAG, properties: {}, children: [] });
      if (end < node.value.length) pieces.push({ type: "text", value: node.value.slice(end) });
      splice(parent, node, pieces);
    }
  }
}

/** Turns every "[n]" in text into a CHIP_TAG element carrying n. */
export function markCitations(tree: Root) {
  for (const { node, parent } of textNodes(tree)) {
    if (!MARKER.test(node.value)) continue;
    MARKER.lastIndex = 0;
    const pieces: ElementContent[] = [];
    let last = 0;
    for (const m of node.value.matchAll(MARKER)) {
      if (m.index > last) pieces.push({ type: "text", value: node.value.slice(last, m.index) });
      pieces.push({ type: "element", tagName: CHIP_TAG, properties: { dataN: m[1]! }, children: [] });
      last = m.index + m[0].length;
    }
    if (last < node.value.length) pieces.push({ type: "text", value: node.value.slice(last) });
    splice(parent, node, pieces);
  }
}

/** Puts the streaming cursor at the end of the last text, inside its paragraph, list item or cell. */
export function appendCursor(tree: Root) {
  const runs = textNodes(tree);
  const target = runs.length > 0 ? runs[runs.length - 1]!.parent : tree;
  target.children.push({ type: "element", tagName: CURSOR_TAG, properties: {}, children: [] });
}
