"use client";

import { useEffect, useId, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { cx } from "./ui/cx";
import { secondaryButtonClass } from "./ui/styles";

// On a phone (640 px and narrower) the navigation and the account controls fold behind one
// "Menu" button, a disclosure: aria-expanded tells its state, Escape closes it and gives focus
// back to the button, and it closes by itself when a link opens another page.
export function HeaderMenu({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  // Open for the page it was opened on; following a link leaves it closed on the next.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onKey(event: KeyboardEvent) {
      if (event.key !== "Escape") return;
      setOpenOn(null);
      buttonRef.current?.focus();
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={cx(secondaryButtonClass, "ml-auto gap-2 min-[641px]:hidden")}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenOn(open ? null : pathname)}
        data-testid="menu-toggle"
      >
        <svg width={16} height={16} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} aria-hidden>
          {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
        </svg>
        Menu
      </button>
      <div
        id={panelId}
        data-testid="menu-panel"
        className={cx(
          open ? "flex" : "hidden",
          "w-full flex-col gap-3 border-t border-gray-300 pt-3 dark:border-gray-700",
          "min-[641px]:flex min-[641px]:w-auto min-[641px]:flex-1 min-[641px]:flex-row min-[641px]:items-center min-[641px]:gap-6 min-[641px]:border-0 min-[641px]:pt-0",
        )}
      >
        {children}
      </div>
    </>
  );
}
