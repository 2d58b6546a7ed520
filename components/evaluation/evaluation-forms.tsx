"use client";

import { useId } from "react";
import {
  addEvaluationCaseAction,
  changePassMarkAction,
  removeEvaluationCaseAction,
  runEvaluationAction,
} from "@/app/collections/[id]/evaluation/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { labelClass } from "@/components/ui/styles";
import { Input, Label, Textarea } from "@/components/ui/field";
import { Button } from "@/components/ui/button";

/** A golden question: the question, the documents that must support its answer, optional phrases. */
export function AddCaseForm({ collectionId, documents }: { collectionId: string; documents: string[] }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(addEvaluationCaseAction);
  const id = useId();
  const questionError = fieldError(result, "question");
  const documentsError = fieldError(result, "documents");
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-2xl space-y-4"
      data-testid="eval-add-form"
    >
      <FormError result={result} fields={["question", "documents"]} />
      <FormSuccess message={result?.ok ? `Added “${result.data.question}”.` : undefined} testId="eval-add-success" />
      <input type="hidden" name="collectionId" value={collectionId} />
      <div>
        <Label htmlFor={`${id}-question`}>Question</Label>
        <Textarea
          className="mt-1"
          id={`${id}-question`}
          name="question"
          rows={2}
          required
          aria-invalid={questionError ? true : undefined}
          aria-describedby={questionError ? `${id}-question-error` : undefined}
          data-testid="eval-question"
        />
        <FieldError id={`${id}-question-error`} message={questionError} />
      </div>
      <fieldset aria-describedby={documentsError ? `${id}-documents-error` : undefined}>
        <legend className={labelClass}>Documents that must support the answer</legend>
        {documents.length === 0 ? (
          <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">Upload documents first.</p>
        ) : (
          <ul className="mt-1 grid gap-1 sm:grid-cols-2">
            {documents.map((name) => (
              <li key={name}>
                <label className="flex items-center gap-2 text-sm text-gray-900 dark:text-gray-100">
                  <input type="checkbox" name="documents[]" value={name} data-testid={`eval-doc-${name}`} />
                  {name}
                </label>
              </li>
            ))}
          </ul>
        )}
        <FieldError id={`${id}-documents-error`} message={documentsError} />
      </fieldset>
      <div>
        <Label htmlFor={`${id}-phrases`}>
          Required phrases <span className="font-normal text-gray-700 dark:text-gray-300">(optional, one a line)</span>
        </Label>
        <Textarea
          className="mt-1"
          id={`${id}-phrases`}
          name="phrases"
          rows={2}
          aria-describedby={`${id}-phrases-hint`}
          data-testid="eval-phrases"
        />
        <p id={`${id}-phrases-hint`} className="mt-1 text-xs text-gray-700 dark:text-gray-300">
          When given, a passage counts only if it holds one of these phrases.
        </p>
      </div>
      <Button type="submit" disabled={pending} data-testid="eval-add-submit">
        {pending ? "Adding…" : "Add question"}
      </Button>
    </form>
  );
}

export function RemoveCaseButton({
  collectionId,
  caseId,
  question,
}: {
  collectionId: string;
  caseId: string;
  question: string;
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(removeEvaluationCaseAction, {
    resetOnSuccess: false,
  });
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
      <FormError result={result} />
      <input type="hidden" name="collectionId" value={collectionId} />
      <input type="hidden" name="caseId" value={caseId} />
      <Button variant="danger" type="submit" disabled={pending} aria-label={`Remove the question “${question}”`}>
        {pending ? "Removing…" : "Remove"}
      </Button>
    </form>
  );
}

export function PassMarkForm({ collectionId, minRecall }: { collectionId: string; minRecall: number }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(changePassMarkAction, {
    resetOnSuccess: false,
  });
  const id = useId();
  const error = fieldError(result, "minRecall");
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="collectionId" value={collectionId} />
      <div>
        <Label htmlFor={`${id}-min`}>Pass mark (recall@5, 0 to 1)</Label>
        <Input
          className="mt-1 w-28"
          id={`${id}-min`}
          name="minRecall"
          inputMode="decimal"
          defaultValue={String(minRecall)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-min-error` : undefined}
          data-testid="eval-min-recall"
        />
      </div>
      <Button variant="secondary" type="submit" disabled={pending} data-testid="eval-min-recall-submit">
        {pending ? "Saving…" : "Save"}
      </Button>
      <div className="basis-full">
        <FieldError id={`${id}-min-error`} message={error} />
        <FormError result={result} fields={["minRecall"]} />
        <FormSuccess message={result?.ok ? `The pass mark is now ${result.data.minRecall}.` : undefined} />
      </div>
    </form>
  );
}

export function RunEvaluationButton({ collectionId, disabled }: { collectionId: string; disabled: boolean }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(runEvaluationAction, {
    resetOnSuccess: false,
  });
  const message = result?.ok
    ? `Scored ${result.data.questions} question(s): recall@5 ${result.data.recallAt5.toFixed(2)}, ${result.data.passed ? "passed" : "below the pass mark"}.`
    : undefined;
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="collectionId" value={collectionId} />
      <FormError result={result} testId="eval-run-error" />
      <FormSuccess message={message} testId="eval-run-success" />
      <Button type="submit" disabled={pending || disabled} data-testid="eval-run">
        {pending ? "Running…" : "Run evaluation now"}
      </Button>
    </form>
  );
}
