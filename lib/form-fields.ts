import { z } from "zod";

// HTML forms send a checkbox group as nothing, one value or several values, and booleans as
// strings. These normalise form input before the shared schemas validate it.

/** Wraps an array schema so that no value, one value and several values all arrive as an array. */
export function formArray<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (value === undefined || value === null || value === "") return [];
    return Array.isArray(value) ? value : [value];
  }, schema);
}

export const formBoolean = z
  .enum(["true", "false"], { error: "Expected true or false." })
  .transform((value) => value === "true");
