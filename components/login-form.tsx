"use client";

import { signInWithCredentials } from "@/app/login/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

/** Email and password sign-in. `initialError` comes from `?error=` after a redirect from Auth.js. */
export function LoginForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(signInWithCredentials, {
    resetOnSuccess: false,
  });
  const error = result ? (result.ok ? undefined : result.error.message) : initialError;
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      className="space-y-4"
      data-testid="login-form"
      noValidate
    >
      {error ? (
        <p
          role="alert"
          data-testid="login-error"
          className="rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 px-3 py-2 text-sm text-red-900 dark:text-red-200"
        >
          {error}
        </p>
      ) : null}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="username"
        required
        error={fieldError(result, "email")}
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldError(result, "password")}
      />
      <Button className="w-full" type="submit" disabled={pending} data-testid="login-submit">
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
