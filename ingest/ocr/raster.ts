// Decoded pixels as 8-bit greyscale, and as a PGM file: the simplest format Tesseract's image
// reader (Leptonica) takes, with no compression to pay for on either side.

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, row by row, 0 black to 255 white. */
  pixels: Uint8Array;
}

/** RGBA (straight alpha) → greyscale over a white background. */
export function rgbaToGrey(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): GreyImage {
  const pixels = new Uint8Array(width * height);
  for (let i = 0, o = 0; o < pixels.length; i += 4, o++) {
    // ITU-R BT.601 luma in 8-bit fixed point; transparent pixels read as the white page behind them.
    const luma = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
    const alpha = rgba[i + 3]!;
    pixels[o] = (luma * alpha + 255 * (255 - alpha)) / 255;
  }
  return { width, height, pixels };
}

export function toPgm({ width, height, pixels }: GreyImage): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + pixels.length);
  out.set(header);
  out.set(pixels, header.length);
  return out;
}
