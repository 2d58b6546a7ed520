import Link from "next/link";
import { signOutAction } from "@/app/login/actions";
import { currentUser } from "@/lib/auth/guards";
import { HeaderMenu } from "./header-menu";
import { NavLink } from "./nav-link";
import { Button } from "@/components/ui/button";

const PRODUCT_NAME = "Knowledge Q&A";

/** Navigation follows the roles the database holds now; links appear only for pages that exist. */
export async function SiteHeader() {
  const actor = await currentUser();
  const isAdmin = actor?.roles.includes("admin") ?? false;
  const isCompliance = actor?.roles.includes("compliance") ?? false;

  return (
    <header className="border-b border-gray-300 dark:border-gray-700 bg-gray-50 dark:bg-gray-900">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        {actor ? (
          <Link
            href="/"
            className="font-semibold text-gray-950 dark:text-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          >
            {PRODUCT_NAME}
          </Link>
        ) : (
          <span className="font-semibold text-gray-950 dark:text-gray-100">{PRODUCT_NAME}</span>
        )}
        {actor ? (
          <HeaderMenu>
            <nav aria-label="Main" className="min-[641px]:flex-1">
              <ul className="flex flex-col gap-1 whitespace-nowrap min-[641px]:flex-row min-[641px]:flex-wrap min-[641px]:items-center lg:flex-nowrap">
                <li>
                  <NavLink href="/" testId="nav-home">
                    Home
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/chat" testId="nav-chat">
                    Ask
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/collections" testId="nav-collections">
                    Collections
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/profile" testId="nav-profile">
                    Profile
                  </NavLink>
                </li>
                {isAdmin ? (
                  <>
                    <li>
                      <NavLink href="/admin" testId="nav-admin" exact>
                        Admin
                      </NavLink>
                    </li>
                    <li>
                      <NavLink href="/admin/users" testId="nav-users">
                        Users
                      </NavLink>
                    </li>
                    <li>
                      <NavLink href="/admin/groups" testId="nav-groups">
                        Groups
                      </NavLink>
                    </li>
                  </>
                ) : null}
                {isCompliance ? (
                  <>
                    <li>
                      <NavLink href="/compliance" testId="nav-compliance" exact>
                        Compliance
                      </NavLink>
                    </li>
                    <li>
                      <NavLink href="/compliance/review" testId="nav-review">
                        Review
                      </NavLink>
                    </li>
                  </>
                ) : null}
              </ul>
            </nav>
            <div className="flex items-center justify-between gap-3">
              {/* The email is shown in full on hover: long addresses would push the navigation onto a second line. */}
              <p
                className="max-w-56 truncate text-sm text-gray-800 dark:text-gray-200"
                title={`${actor.name} (${actor.email})`}
                data-testid="current-user"
              >
                <span className="font-medium">{actor.name}</span>{" "}
                <span className="text-gray-600 dark:text-gray-400">({actor.email})</span>
              </p>
              <form action={signOutAction}>
                <Button variant="secondary" type="submit" data-testid="sign-out">
                  Sign out
                </Button>
              </form>
            </div>
          </HeaderMenu>
        ) : null}
      </div>
    </header>
  );
}
