// Shared Tailwind class lists so every control looks and focuses the same way.

const focus = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700";

export const buttonClass = `inline-flex items-center justify-center rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:opacity-60 ${focus}`;

export const secondaryButtonClass = `inline-flex items-center justify-center rounded-md border border-gray-400 bg-white px-3 py-1.5 text-sm font-medium text-gray-900 hover:bg-gray-100 disabled:cursor-not-allowed disabled:opacity-60 ${focus}`;

export const dangerButtonClass = `inline-flex items-center justify-center rounded-md border border-red-700 bg-white px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-60 ${focus}`;

export const inputClass = `block w-full rounded-md border border-gray-400 bg-white px-3 py-2 text-sm text-gray-900 aria-invalid:border-red-700 ${focus}`;

export const labelClass = "block text-sm font-medium text-gray-900";

export const linkClass = `text-blue-800 underline underline-offset-2 hover:text-blue-950 ${focus}`;

export const tableClass = "w-full border-collapse text-left text-sm";
export const thClass = "border-b border-gray-300 px-3 py-2 font-semibold text-gray-900";
export const tdClass = "border-b border-gray-200 px-3 py-2 align-top";

export const sectionClass = "mt-8 space-y-4";
export const h1Class = "text-2xl font-semibold text-gray-900";
export const h2Class = "text-lg font-semibold text-gray-900";
