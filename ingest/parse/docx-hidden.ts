// Hidden runs in a DOCX: text marked hidden (w:vanish), fonts of 2 pt or less, and text coloured
// like what is behind it (run or paragraph shading, table-cell shading, else the white page).
// mammoth ignores all three, so they are removed from the XML before conversion and reported.
// Where the background cannot be known (table styles, text boxes, theme fills) colour is not
// judged: white headings on a dark banner are common and visible.

import { load, type CheerioAPI } from "cheerio";
import JSZip from "jszip";
import type { BlockSink } from "./blocks";
import { contrast, INVISIBLE_CONTRAST, parseColor, type Rgba } from "./css-colors";
import type { HiddenReason } from "@/lib/documents/parsed";

const PARTS = ["word/document.xml", "word/footnotes.xml", "word/endnotes.xml"];
const TINY_HALF_POINTS = 4;
const WHITE: Rgba = [255, 255, 255, 1];

interface RunProps {
  vanish?: boolean;
  color?: Rgba | "auto";
  halfPoints?: number;
  /** Run shading or highlight: what is directly behind the text. */
  fill?: Rgba | "unknown";
}

interface StyleDef {
  basedOn?: string;
  props: RunProps;
}

type El = ReturnType<CheerioAPI>;

const HIGHLIGHT: Record<string, Rgba> = {
  yellow: [255, 255, 0, 1],
  green: [0, 255, 0, 1],
  cyan: [0, 255, 255, 1],
  magenta: [255, 0, 255, 1],
  blue: [0, 0, 255, 1],
  red: [255, 0, 0, 1],
  darkBlue: [0, 0, 139, 1],
  darkCyan: [0, 139, 139, 1],
  darkGreen: [0, 100, 0, 1],
  darkMagenta: [139, 0, 139, 1],
  darkRed: [139, 0, 0, 1],
  darkYellow: [128, 128, 0, 1],
  darkGray: [169, 169, 169, 1],
  lightGray: [211, 211, 211, 1],
  black: [0, 0, 0, 1],
  white: [255, 255, 255, 1],
};

function on(el: El): boolean {
  const v = el.attr("w:val");
  return v === undefined || !["false", "0", "off", "none"].includes(v);
}

function shadingFill(shd: El): Rgba | "unknown" | undefined {
  if (shd.length === 0) return undefined;
  if (shd.attr("w:themeFill")) return "unknown";
  const fill = shd.attr("w:fill");
  if (!fill || fill === "auto") return shd.attr("w:val") === "clear" || !shd.attr("w:val") ? undefined : "unknown";
  return parseColor(`#${fill}`) ?? "unknown";
}

function readProps(rPr: El): RunProps {
  const props: RunProps = {};
  if (rPr.length === 0) return props;
  const child = (name: string) => rPr.children(name.replace(":", "\\:")).first();
  for (const name of ["w:vanish", "w:specVanish", "w:webHidden"]) {
    const el = child(name);
    if (el.length > 0 && name !== "w:webHidden") props.vanish = on(el);
  }
  const color = child("w:color");
  if (color.length > 0) {
    const val = color.attr("w:val");
    props.color = !val || val === "auto" ? "auto" : (parseColor(`#${val}`) ?? "auto");
  }
  const size = child("w:sz").attr("w:val");
  if (size && /^\d+$/.test(size)) props.halfPoints = Number(size);
  const fill = shadingFill(child("w:shd"));
  const highlight = child("w:highlight").attr("w:val");
  if (highlight && highlight !== "none") props.fill = HIGHLIGHT[highlight] ?? "unknown";
  else if (fill !== undefined) props.fill = fill;
  return props;
}

function readStyles(xml: string | undefined): { defaults: RunProps; styles: Map<string, StyleDef> } {
  const styles = new Map<string, StyleDef>();
  if (!xml) return { defaults: {}, styles };
  const $ = load(xml, { xml: true });
  const defaults = readProps($("w\\:docDefaults w\\:rPrDefault w\\:rPr").first());
  $("w\\:style").each((_, node) => {
    const el = $(node);
    const id = el.attr("w:styleId");
    if (!id) return;
    styles.set(id, {
      basedOn: el.children("w\\:basedOn").attr("w:val"),
      props: readProps(el.children("w\\:rPr").first()),
    });
  });
  return { defaults, styles };
}

function resolveStyle(styles: Map<string, StyleDef>, id: string | undefined, seen = new Set<string>()): RunProps {
  if (!id || seen.has(id)) return {};
  seen.add(id);
  const def = styles.get(id);
  if (!def) return {};
  return { ...resolveStyle(styles, def.basedOn, seen), ...def.props };
}

function runText($: CheerioAPI, run: El): string {
  let text = "";
  run.find("w\\:t, w\\:tab, w\\:br, w\\:cr").each((_, n) => {
    const name = (n as { name?: string }).name;
    text += name === "w:t" ? $(n).text() : name === "w:tab" ? " " : "\n";
  });
  return text;
}

/** What is painted behind a run, or "unknown" when only rendering could tell. */
function background(run: El, props: RunProps, pageColor: Rgba): Rgba | "unknown" {
  if (props.fill) return props.fill;
  if (run.closest("w\\:txbxContent, v\\:textbox, w\\:pict, mc\\:AlternateContent").length > 0) return "unknown";
  const paragraphFill = shadingFill(run.closest("w\\:p").children("w\\:pPr").children("w\\:shd").first());
  if (paragraphFill) return paragraphFill;
  const cell = run.closest("w\\:tc");
  if (cell.length > 0) {
    const cellFill = shadingFill(cell.children("w\\:tcPr").children("w\\:shd").first());
    if (cellFill) return cellFill;
    // A table style may shade header rows or bands; only Word's renderer knows which.
    if (cell.closest("w\\:tbl").children("w\\:tblPr").children("w\\:tblStyle").length > 0) return "unknown";
  }
  return pageColor;
}

function hiddenReason(props: RunProps, behind: Rgba | "unknown"): HiddenReason | null {
  if (props.vanish) return "vanish";
  if (props.halfPoints !== undefined && props.halfPoints <= TINY_HALF_POINTS) return "tiny_font";
  if (
    props.color &&
    props.color !== "auto" &&
    behind !== "unknown" &&
    contrast(props.color, behind) < INVISIBLE_CONTRAST
  )
    return "same_color";
  return null;
}

/**
 * Returns the DOCX with hidden runs removed (or the same bytes when there are none), reporting
 * each hidden stretch of a paragraph to the sink.
 */
export async function removeHiddenRuns(bytes: Uint8Array, sink: BlockSink): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(bytes);
  const { defaults, styles } = readStyles(await zip.file("word/styles.xml")?.async("string"));
  let changed = false;
  for (const part of PARTS) {
    const file = zip.file(part);
    if (!file) continue;
    const $ = load(await file.async("string"), { xml: true });
    const pageColor = parseColor(`#${$("w\\:background").first().attr("w:color") ?? "FFFFFF"}`) ?? WHITE;
    $("w\\:p").each((_, p) => {
      const paragraph = $(p);
      const paragraphStyle = resolveStyle(styles, paragraph.children("w\\:pPr").children("w\\:pStyle").attr("w:val"));
      let open: { reason: HiddenReason; text: string } | null = null;
      const close = () => {
        if (open) sink.addHidden(open.reason, open.text);
        open = null;
      };
      // Runs of this paragraph only, not of paragraphs nested in text boxes inside it.
      paragraph.find("w\\:r").each((_, r) => {
        const run = $(r);
        if (run.closest("w\\:p")[0] !== p) return;
        const text = runText($, run);
        if (!text.trim()) return;
        const props = {
          ...defaults,
          ...paragraphStyle,
          ...resolveStyle(styles, run.children("w\\:rPr").children("w\\:rStyle").attr("w:val")),
          ...readProps(run.children("w\\:rPr").first()),
        };
        const reason = hiddenReason(props, background(run, props, pageColor));
        if (!reason) return close();
        if (open?.reason !== reason) {
          close();
          open = { reason, text: "" };
        }
        open!.text += text;
        run.remove();
        changed = true;
      });
      close();
    });
    if (changed) zip.file(part, $.xml());
  }
  return changed ? zip.generateAsync({ type: "uint8array", compression: "STORE" }) : bytes;
}
