import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { h1Class } from "@/components/ui/styles";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { isOidcEnabled } from "@/lib/auth/config";
import { currentUser } from "@/lib/auth/guards";
import { signInErrorMessage, signInNotice } from "@/lib/auth/sign-in-messages";
import { env } from "@/lib/env";
import { signInWithOidc } from "./actions";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Record<string, string | string[] | undefined>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  if (await currentUser()) redirect("/");
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(single(params.callbackUrl));
  const errorParam = single(params.error);
  const initialError = errorParam ? signInErrorMessage(errorParam, single(params.code)) : undefined;
  const notice = signInNotice(single(params.notice));
  const oidcName = isOidcEnabled() ? env().OIDC_DISPLAY_NAME : null;

  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className={h1Class}>Sign in</h1>
      {notice ? (
        <p
          role="status"
          data-testid="login-notice"
          className="rounded-md border border-green-700 dark:border-green-400 bg-green-50 dark:bg-green-950 px-3 py-2 text-sm text-green-900 dark:text-green-200"
        >
          {notice}
        </p>
      ) : null}
      <LoginForm callbackUrl={callbackUrl} initialError={initialError} />
      {oidcName ? (
        <form action={signInWithOidc} className="border-t border-gray-300 dark:border-gray-700 pt-6">
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <Button variant="secondary" className="w-full py-2" type="submit" data-testid="sign-in-oidc">
            Sign in with {oidcName}
          </Button>
        </form>
      ) : null}
      <p className="text-sm text-gray-700 dark:text-gray-300">
        Accounts are created by an administrator. Ask one if you need access.
      </p>
    </div>
  );
}
