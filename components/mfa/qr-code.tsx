import QRCode from "qrcode";

/**
 * A QR code drawn on the server as one SVG path, so the page needs no image URL, no script and
 * nothing from the network; the text beside it says the same for those who cannot scan.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const size = modules.size;
  const quiet = 4;
  let d = "";
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules.get(x, y)) d += `M${x + quiet} ${y + quiet}h1v1h-1z`;
    }
  }
  const full = size + quiet * 2;
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${full} ${full}`}
      width={200}
      height={200}
      shapeRendering="crispEdges"
      className="rounded border border-gray-300 dark:border-gray-700 bg-white"
      data-testid="mfa-qr-code"
    >
      <rect width={full} height={full} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
