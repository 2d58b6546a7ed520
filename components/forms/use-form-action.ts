"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/guards";

type FormServerAction<T> = (previous: ActionResult<T> | null, formData: FormData) => Promise<ActionResult<T>>;

/**
 * useActionState for forms built on `guardedAction`. React clears a form after every action,
 * which would throw away what the user typed when the server refuses it; here the form is
 * cleared only after a success (and not at all when `resetOnSuccess` is false). Without
 * JavaScript the form still posts to the action.
 */
export function useFormAction<T>(
  action: FormServerAction<T>,
  { resetOnSuccess = true }: { resetOnSuccess?: boolean } = {},
) {
  const [result, formAction, pending] = useActionState<ActionResult<T> | null, FormData>(action, null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (resetOnSuccess && result?.ok) formRef.current?.reset();
  }, [result, resetOnSuccess]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(formData));
  }

  return { result, formAction, pending, formRef, onSubmit };
}
