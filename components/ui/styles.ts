// Shared Tailwind class lists so every control looks and focuses the same way, in light and dark
// mode alike. The components beside this file (Button, Table, Input, Badge, …) are built on them;
// a page reaches for a class list only where no component fits (a download <a>, a <summary>).

export const focusRing =
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400";

export const buttonClass = `inline-flex items-center justify-center rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:opacity-60 dark:bg-blue-600 dark:hover:bg-blue-500 ${focusRing}`;

export const secondaryButtonClass = `inline-flex items-center justify-center rounded-md border border-gray-400 bg-white px-3 py-1.5 text-sm font-medium text-gray-900 hover:bg-gray-100 disabled:cursor-not-allowed disabled:opacity-60 dark:border-gray-500 dark:bg-gray-900 dark:text-gray-100 dark:hover:bg-gray-800 ${focusRing}`;

export const dangerButtonClass = `inline-flex items-center justify-center rounded-md border border-red-700 bg-white px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-60 dark:border-red-400 dark:bg-gray-900 dark:text-red-300 dark:hover:bg-red-950 ${focusRing}`;

export const inputClass = `block w-full rounded-md border border-gray-400 bg-white px-3 py-2 text-sm text-gray-900 aria-invalid:border-red-700 dark:border-gray-500 dark:bg-gray-900 dark:text-gray-100 dark:aria-invalid:border-red-400 ${focusRing}`;

export const labelClass = "block text-sm font-medium text-gray-900 dark:text-gray-100";

export const linkClass = `text-blue-800 underline underline-offset-2 hover:text-blue-950 dark:text-blue-300 dark:hover:text-blue-200 ${focusRing}`;

export const tableClass = "w-full border-collapse text-left text-sm";
export const thClass =
  "border-b border-gray-300 px-3 py-2 font-semibold text-gray-900 dark:border-gray-600 dark:text-gray-100";
export const tdClass = "border-b border-gray-200 px-3 py-2 align-top dark:border-gray-700";

export const sectionClass = "mt-8 space-y-4";
export const h1Class = "text-2xl font-semibold text-gray-900 dark:text-gray-100";
export const h2Class = "text-lg font-semibold text-gray-900 dark:text-gray-100";
export const mutedClass = "text-gray-700 dark:text-gray-300";
