"use client";

import "./globals.css";

// Replaces the root layout when the layout itself fails (for example when the database is
// unreachable while the header loads the signed-in user).
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white dark:bg-gray-950 text-gray-900 dark:text-gray-100">
        <main className="mx-auto max-w-2xl space-y-4 px-4 py-12">
          <title>Something went wrong · Knowledge Q&amp;A</title>
          <h1 className="text-2xl font-semibold">Something went wrong</h1>
          <p>The service could not show this page. Try again; if it keeps happening, tell your administrator.</p>
          <button
            type="button"
            onClick={() => retry()}
            className="rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          >
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
