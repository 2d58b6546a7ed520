import Link from "next/link";
import { signOutAction } from "@/app/login/actions";
import { currentUser } from "@/lib/auth/guards";
import { NavLink } from "./nav-link";
import { secondaryButtonClass } from "./ui/styles";

const PRODUCT_NAME = "Knowledge Q&A";

/** Navigation follows the roles the database holds now; links appear only for pages that exist. */
export async function SiteHeader() {
  const actor = await currentUser();
  const isAdmin = actor?.roles.includes("admin") ?? false;
  const isCompliance = actor?.roles.includes("compliance") ?? false;

  return (
    <header className="border-b border-gray-300 bg-gray-50">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        {actor ? (
          <Link
            href="/"
            className="font-semibold text-gray-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
          >
            {PRODUCT_NAME}
          </Link>
        ) : (
          <span className="font-semibold text-gray-950">{PRODUCT_NAME}</span>
        )}
        {actor ? (
          <>
            <nav aria-label="Main" className="flex-1">
              <ul className="flex flex-wrap items-center gap-1 whitespace-nowrap lg:flex-nowrap">
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
            <div className="flex items-center gap-3">
              {/* The email is shown in full on hover: long addresses would push the navigation onto a second line. */}
              <p
                className="max-w-56 truncate text-sm text-gray-800"
                title={`${actor.name} (${actor.email})`}
                data-testid="current-user"
              >
                <span className="font-medium">{actor.name}</span> <span className="text-gray-600">({actor.email})</span>
              </p>
              <form action={signOutAction}>
                <button type="submit" className={secondaryButtonClass} data-testid="sign-out">
                  Sign out
                </button>
              </form>
            </div>
          </>
        ) : null}
      </div>
    </header>
  );
}
