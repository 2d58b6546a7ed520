// Just enough CSS colour handling to tell when text is painted in (nearly) the colour behind it.

export type Rgba = [number, number, number, number];

const NAMED: Record<string, Rgba> = {
  white: [255, 255, 255, 1],
  black: [0, 0, 0, 1],
  transparent: [0, 0, 0, 0],
  red: [255, 0, 0, 1],
  green: [0, 128, 0, 1],
  blue: [0, 0, 255, 1],
  yellow: [255, 255, 0, 1],
  gray: [128, 128, 128, 1],
  grey: [128, 128, 128, 1],
  silver: [192, 192, 192, 1],
  whitesmoke: [245, 245, 245, 1],
  snow: [255, 250, 250, 1],
  ivory: [255, 255, 240, 1],
  ghostwhite: [248, 248, 255, 1],
  lightgray: [211, 211, 211, 1],
  lightgrey: [211, 211, 211, 1],
  gainsboro: [220, 220, 220, 1],
  navy: [0, 0, 128, 1],
  darkgray: [169, 169, 169, 1],
  darkgrey: [169, 169, 169, 1],
  dimgray: [105, 105, 105, 1],
  maroon: [128, 0, 0, 1],
  purple: [128, 0, 128, 1],
  teal: [0, 128, 128, 1],
  olive: [128, 128, 0, 1],
  orange: [255, 165, 0, 1],
  linen: [250, 240, 230, 1],
  beige: [245, 245, 220, 1],
  azure: [240, 255, 255, 1],
  aliceblue: [240, 248, 255, 1],
  mintcream: [245, 255, 250, 1],
};

/** Parses #rgb, #rrggbb(aa), rgb()/rgba() and a few names; null for anything else (then nothing is concluded). */
export function parseColor(value: string): Rgba | null {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/\s*!important$/, "");
  if (NAMED[v]) return NAMED[v]!;
  const hex = /^#?([0-9a-f]{3,8})$/.exec(v);
  if (hex && (v.startsWith("#") || hex[1]!.length === 6)) {
    let h = hex[1]!;
    if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join("");
    if (h.length !== 6 && h.length !== 8) return null;
    const a = h.length === 8 ? parseInt(h.slice(6, 8), 16) / 255 : 1;
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), a];
  }
  const rgb = /^rgba?\(\s*([\d.]+%?)[\s,]+([\d.]+%?)[\s,]+([\d.]+%?)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(v);
  if (rgb) {
    const channel = (s: string) => (s.endsWith("%") ? (parseFloat(s) * 255) / 100 : parseFloat(s));
    const alpha = rgb[4] === undefined ? 1 : rgb[4].endsWith("%") ? parseFloat(rgb[4]) / 100 : parseFloat(rgb[4]);
    return [channel(rgb[1]!), channel(rgb[2]!), channel(rgb[3]!), alpha];
  }
  return null;
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1 (identical) to 21 (black on white). */
export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Below this, text is unreadable against its background (the WCAG minimum for body text is 4.5). */
export const INVISIBLE_CONTRAST = 1.2;
