/** One labelled figure of the overview; the test id lets browser tests read the number alone. */
export function Figure({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string | number;
  detail?: string;
  testId: string;
}) {
  return (
    <div className="rounded-md border border-gray-300 dark:border-gray-700 px-4 py-3">
      <dt className="text-sm text-gray-800 dark:text-gray-200">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-gray-950 dark:text-gray-100" data-testid={testId}>
        {value}
      </dd>
      {detail ? <dd className="mt-1 text-xs text-gray-700 dark:text-gray-300">{detail}</dd> : null}
    </div>
  );
}
