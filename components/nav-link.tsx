"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

// Marks the current section with aria-current so it is announced, not only coloured.
// `exact`: a section whose sub-pages have their own links (Admin, then Users) is current only on itself.
export function NavLink({
  href,
  children,
  testId,
  exact = false,
}: {
  href: string;
  children: React.ReactNode;
  testId: string;
  exact?: boolean;
}) {
  const pathname = usePathname();
  const current = href === "/" || exact ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      data-testid={testId}
      aria-current={current ? "page" : undefined}
      className="block rounded-md px-2 py-2 min-[641px]:py-1 text-sm text-gray-800 dark:text-gray-200 hover:bg-gray-100 dark:hover:bg-gray-800 hover:text-gray-950 dark:hover:text-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 aria-[current=page]:font-semibold aria-[current=page]:text-blue-800 dark:aria-[current=page]:text-blue-300 aria-[current=page]:underline aria-[current=page]:underline-offset-4"
    >
      {children}
    </Link>
  );
}
