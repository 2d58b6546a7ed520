// Inline SVG icons: no icon font or emoji font is needed, which an offline server or a locked-down
// workstation may not have. Decorative: the buttons that hold them carry the accessible name.

const common = {
  width: 16,
  height: 16,
  viewBox: "0 0 24 24",
  fill: "none",
  stroke: "currentColor",
  strokeWidth: 2,
  strokeLinecap: "round",
  strokeLinejoin: "round",
  "aria-hidden": true,
} as const;

export function ThumbUpIcon() {
  return (
    <svg {...common}>
      <path d="M7 10v11H3V10h4z" />
      <path d="M7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.1 21H7" />
    </svg>
  );
}

export function ThumbDownIcon() {
  return (
    <svg {...common}>
      <path d="M17 14V3h4v11h-4z" />
      <path d="M17 14l-4 8a3 3 0 0 1-3-3v-4H4.5a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 5.9 3H17" />
    </svg>
  );
}

export function CloseIcon() {
  return (
    <svg {...common} width={14} height={14}>
      <path d="M6 6l12 12M18 6L6 18" />
    </svg>
  );
}
