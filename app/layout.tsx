import type { Metadata } from "next";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

// Every page depends on who is asking; nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Knowledge Q&A", template: "%s · Knowledge Q&A" },
  description: "Private knowledge Q&A",
  // Served from public/, so a browser never asks for /favicon.ico and logs a 404 on every page;
  // the PNGs are drawn from the SVG by scripts/make-icons.mjs, for home screens and installed apps.
  icons: {
    icon: [
      { url: "/favicon.svg", type: "image/svg+xml" },
      { url: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
    ],
    apple: { url: "/icons/apple-touch-icon.png", sizes: "180x180" },
  },
  manifest: "/manifest.webmanifest",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white text-gray-900 antialiased dark:bg-gray-950 dark:text-gray-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded-md focus:bg-white dark:focus:bg-gray-900 focus:px-3 focus:py-2 focus:text-blue-800 dark:focus:text-blue-300 focus:outline-2 focus:outline-blue-700 dark:focus:outline-blue-400"
        >
          Skip to main content
        </a>
        <SiteHeader />
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          {children}
        </main>
      </body>
    </html>
  );
}
