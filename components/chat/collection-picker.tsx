"use client";

export interface PickerCollection {
  id: string;
  name: string;
  documentCount: number;
}

/** Narrows a question to some of the readable collections; none ticked means all of them. */
export function CollectionPicker({
  collections,
  selected,
  onChange,
  disabled,
}: {
  collections: PickerCollection[];
  selected: string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
}) {
  function toggle(id: string, on: boolean) {
    onChange(on ? [...selected, id] : selected.filter((s) => s !== id));
  }
  return (
    <fieldset
      className="mt-4 rounded-md border border-gray-300 dark:border-gray-700 px-3 py-2"
      data-testid="collection-picker"
      disabled={disabled}
    >
      <legend className="px-1 text-sm font-medium text-gray-900 dark:text-gray-100">Search in</legend>
      <div className="flex flex-wrap gap-x-4 gap-y-1">
        {collections.map((c) => (
          <label key={c.id} className="flex items-center gap-1.5 text-sm text-gray-900 dark:text-gray-100">
            <input
              type="checkbox"
              checked={selected.includes(c.id)}
              onChange={(e) => toggle(c.id, e.target.checked)}
              className="h-4 w-4 accent-blue-700"
              data-testid="collection-option"
              data-collection={c.name}
            />
            {c.name} <span className="text-gray-600 dark:text-gray-400">({c.documentCount})</span>
          </label>
        ))}
      </div>
      <p className="mt-1 text-xs text-gray-700 dark:text-gray-300" data-testid="collection-picker-summary">
        {selected.length === 0
          ? "All collections you can read."
          : `${selected.length} of ${collections.length} collections.`}
      </p>
    </fieldset>
  );
}
