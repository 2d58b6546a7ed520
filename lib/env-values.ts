import { z } from "zod";
import { ROLES, type Role } from "@/db/schema/users";
import { parsePiiTypeList } from "@/lib/privacy/question-policy";

// The value types of settings that lib/env.ts reads: each refuses a bad value with a message
// that completes "NAME …", so start-up names the setting and what is wrong with it.

export const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

/**
 * Site-specific medical record number patterns: a JSON array of regular expressions (JavaScript
 * syntax, matched case-sensitively; the first capture group, if any, is the number itself).
 */
export const mrnPatternsSchema = z.string().transform((raw, ctx) => {
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch (err) {
    ctx.addIssue({
      code: "custom",
      message: `must be a JSON array of regular expressions (${(err as Error).message})`,
    });
    return z.NEVER;
  }
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string" && p.length > 0)) {
    ctx.addIssue({ code: "custom", message: 'must be a JSON array of non-empty strings, e.g. ["\\bH\\d{7}\\b"]' });
    return z.NEVER;
  }
  const patterns: RegExp[] = [];
  for (const source of list as string[]) {
    try {
      patterns.push(new RegExp(source, "g"));
    } catch (err) {
      ctx.addIssue({
        code: "custom",
        message: `pattern ${JSON.stringify(source)} is not a valid regular expression: ${(err as Error).message}`,
      });
      return z.NEVER;
    }
    if (patterns.at(-1)!.test("")) {
      ctx.addIssue({ code: "custom", message: `pattern ${JSON.stringify(source)} matches empty text` });
      return z.NEVER;
    }
  }
  return patterns;
});

/** A comma-separated list of PII kinds ("ssn, credit_card"); at least one. */
export const piiTypeListSchema = z.string().transform((raw, ctx) => {
  try {
    const types = parsePiiTypeList(raw);
    if (types.length === 0) {
      ctx.addIssue({ code: "custom", message: "must name at least one kind (unset it for the default)" });
      return z.NEVER;
    }
    return types;
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** Comma-separated roles ("admin, compliance"); an empty string is none. */
export const roleListSchema = z.string().transform((raw, ctx) => {
  const names = raw
    .split(",")
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `names no role ${unknown.map((r) => JSON.stringify(r)).join(", ")}; the roles are ${ROLES.join(", ")} (an empty value requires none)`,
    });
    return z.NEVER;
  }
  return [...new Set(names)] as Role[];
});
