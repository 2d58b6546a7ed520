// Draws the PNG app icons in public/icons/ from public/favicon.svg, the one source of the design:
// `node scripts/make-icons.mjs` after changing the SVG. The PNGs are committed, so a build needs no canvas.
import fs from "node:fs";
import path from "node:path";
import { createCanvas, Image } from "@napi-rs/canvas";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const svg = fs.readFileSync(path.join(root, "public", "favicon.svg"));
const sizes = { "icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180 };

for (const [name, size] of Object.entries(sizes)) {
  // An SVG is rasterised at the image's size when it is set before the source: sharp at every size.
  const image = new Image();
  image.width = size;
  image.height = size;
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = reject;
    image.src = svg;
  });
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(image, 0, 0, size, size);
  fs.writeFileSync(path.join(root, "public", "icons", name), canvas.toBuffer("image/png"));
  console.log(`public/icons/${name} ${size}×${size}`);
}
