// Finds text in HTML that a reader of the page would not see: display:none, visibility:hidden,
// the hidden attribute, zero opacity, clipped or off-screen boxes, tiny fonts, and text painted
// in (nearly) the colour behind it, from inline styles, <style> rules with selectors cheerio can
// match, and legacy color/bgcolor attributes. Such text is removed before extraction and
// reported, because it is a way to slip instructions to a model past a human reviewer.
// Children can undo an ancestor's colour or font size, so those two are judged per text node;
// the box-level properties hide whole subtrees.

import type { CheerioAPI } from "cheerio";
import type { BlockSink } from "./blocks";
import { contrast, INVISIBLE_CONTRAST, parseColor, type Rgba } from "./css-colors";
import type { HiddenReason } from "@/lib/documents/parsed";

interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  parent?: DomNode | null;
}

interface Inherited {
  color: Rgba | null;
  /** null: unknown (an image, or a colour we cannot parse), so colour is not judged. */
  background: Rgba | null;
  fontPx: number;
}

type Declarations = Map<string, string>;

const WHITE: Rgba = [255, 255, 255, 1];
const TINY_FONT_PX = 3;
const OFF_SCREEN_PX = -500;
const FONT_KEYWORDS: Record<string, number> = {
  "xx-small": 9,
  "x-small": 10,
  small: 13,
  medium: 16,
  large: 18,
  "x-large": 24,
  "xx-large": 32,
};

function parseDeclarations(css: string, into: Declarations = new Map()): Declarations {
  for (const part of css.split(";")) {
    const colon = part.indexOf(":");
    if (colon < 0) continue;
    const prop = part.slice(0, colon).trim().toLowerCase();
    const value = part
      .slice(colon + 1)
      .trim()
      .toLowerCase()
      .replace(/\s*!important$/, "");
    if (prop && value) into.set(prop, value);
  }
  return into;
}

/** Declarations from <style> elements, keyed by the elements their selectors match. */
function stylesheetDeclarations($: CheerioAPI): Map<DomNode, Declarations> {
  const out = new Map<DomNode, Declarations>();
  const css = $("style")
    .map((_, el) => $(el).text())
    .get()
    .join("\n")
    .replace(/\/\*[\s\S]*?\*\//g, "");
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    const declarations = parseDeclarations(rule[2]!);
    if (![...declarations.keys()].some((k) => RELEVANT.has(k))) continue;
    for (const selector of rule[1]!.split(",")) {
      const s = selector.trim();
      if (!s || /::|:(?:hover|focus|active|visited|before|after|focus-within|focus-visible)\b/.test(s)) continue;
      let matched: DomNode[];
      try {
        matched = $(s).get() as unknown as DomNode[];
      } catch (err) {
        // A selector cheerio cannot parse (vendor syntax, newer CSS) hides nothing we can prove.
        if (err instanceof Error) continue;
        throw err;
      }
      for (const el of matched) out.set(el, new Map([...(out.get(el) ?? []), ...declarations]));
    }
  }
  return out;
}

const RELEVANT = new Set([
  "display",
  "visibility",
  "opacity",
  "color",
  "background",
  "background-color",
  "background-image",
  "font-size",
  "position",
  "left",
  "top",
  "right",
  "bottom",
  "text-indent",
  "clip",
  "clip-path",
  "width",
  "height",
  "overflow",
  "transform",
  "font",
]);

function px(value: string | undefined, parentPx: number): number | null {
  if (value === undefined) return null;
  const m = /^(-?[\d.]+)(px|pt|em|rem|%|vw|vh)?$/.exec(value.trim());
  if (!m) return FONT_KEYWORDS[value.trim()] ?? null;
  const n = parseFloat(m[1]!);
  switch (m[2]) {
    case "pt":
      return (n * 4) / 3;
    case "em":
      return n * parentPx;
    case "rem":
      return n * 16;
    case "%":
      return (n / 100) * parentPx;
    case "vw":
    case "vh":
      return n * 10;
    default:
      return n;
  }
}

/** A reason the whole box is invisible, or null. */
function boxHidden(node: DomNode, d: Declarations): HiddenReason | null {
  if (node.attribs && "hidden" in node.attribs) return "hidden_attribute";
  if (d.get("display") === "none") return "display_none";
  const visibility = d.get("visibility");
  if (visibility === "hidden" || visibility === "collapse") return "visibility_hidden";
  const opacity = d.get("opacity");
  if (opacity !== undefined && parseFloat(opacity) <= 0.05) return "transparent";
  const position = d.get("position");
  if (position === "absolute" || position === "fixed") {
    for (const side of ["left", "top", "right", "bottom"]) {
      const v = px(d.get(side), 16);
      if (v !== null && v <= OFF_SCREEN_PX) return "off_screen";
    }
  }
  const indent = px(d.get("text-indent"), 16);
  if (indent !== null && indent <= OFF_SCREEN_PX) return "off_screen";
  const translate = /translate(?:x|y)?\(\s*(-[\d.]+)px/.exec(d.get("transform") ?? "");
  if (translate && parseFloat(translate[1]!) <= OFF_SCREEN_PX) return "off_screen";
  const clip = d.get("clip");
  if (clip && /rect\(/.test(clip) && (clip.match(/-?[\d.]+/g) ?? []).every((n) => Math.abs(parseFloat(n)) <= 1))
    return "clipped";
  const clipPath = d.get("clip-path");
  if (clipPath && /inset\(\s*(?:50|100)%|circle\(\s*0/.test(clipPath)) return "clipped";
  const width = px(d.get("width"), 16);
  const height = px(d.get("height"), 16);
  if (d.get("overflow") === "hidden" && ((width !== null && width <= 1) || (height !== null && height <= 1)))
    return "clipped";
  return null;
}

function backgroundOf(node: DomNode, d: Declarations, inherited: Rgba | null): Rgba | null {
  const image = d.get("background-image");
  const shorthand = d.get("background");
  if ((image && image !== "none") || (shorthand && /url\(|gradient\(/.test(shorthand))) return null;
  const raw =
    d.get("background-color") ?? shorthand?.split(/\s+/).find((t) => parseColor(t) !== null) ?? node.attribs?.bgcolor;
  if (raw === undefined) return inherited;
  const c = parseColor(raw);
  if (c === null) return null;
  // A mostly transparent background shows what is behind it.
  return c[3] < 0.5 ? inherited : c;
}

export function removeHiddenText($: CheerioAPI, sink: BlockSink): void {
  const sheet = stylesheetDeclarations($);
  const root = $.root()[0] as unknown as DomNode;
  const stack: { node: DomNode; state: Inherited }[] = [
    { node: root, state: { color: [0, 0, 0, 1], background: WHITE, fontPx: 16 } },
  ];
  // Consecutive hidden text nodes with one reason are reported as one piece.
  let open: { reason: HiddenReason; parts: string[] } | null = null;
  const close = () => {
    if (open) sink.addHidden(open.reason, open.parts.join(" "));
    open = null;
  };
  const hide = (reason: HiddenReason, text: string) => {
    if (open?.reason !== reason) {
      close();
      open = { reason, parts: [] };
    }
    open!.parts.push(text);
  };

  while (stack.length > 0) {
    const { node, state } = stack.pop()!;
    if (node.type === "text") {
      const text = node.data ?? "";
      if (!text.trim()) continue;
      const reason = textHidden(state);
      if (reason) {
        hide(reason, text);
        $(node as never).remove();
      } else close();
      continue;
    }
    if (node.type !== "tag" && node.type !== "root") continue;
    if (
      node.name === "script" ||
      node.name === "style" ||
      node.name === "head" ||
      node.name === "template" ||
      node.name === "noscript"
    )
      continue;
    const d = new Map([...(sheet.get(node) ?? []), ...parseDeclarations(node.attribs?.style ?? "")]);
    if (node.type === "tag") {
      const box = boxHidden(node, d);
      if (box) {
        const text = $(node as never).text();
        if (text.trim()) hide(box, text);
        $(node as never).remove();
        continue;
      }
    }
    const colorRaw = d.get("color") ?? (node.name === "font" ? node.attribs?.color : undefined);
    const parsedColor = colorRaw === undefined ? state.color : parseColor(colorRaw);
    const next: Inherited = {
      color: parsedColor,
      background: backgroundOf(node, d, state.background),
      fontPx: px(d.get("font-size"), state.fontPx) ?? state.fontPx,
    };
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, state: next });
  }
  close();
}

function textHidden(state: Inherited): HiddenReason | null {
  if (state.fontPx < TINY_FONT_PX) return "tiny_font";
  if (state.color && state.color[3] <= 0.05) return "transparent";
  if (state.color && state.background && contrast(state.color, state.background) < INVISIBLE_CONTRAST)
    return "same_color";
  return null;
}
