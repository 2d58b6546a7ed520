// Loading and scoring the labelled sets in lib/privacy/eval (see its README).

import fs from "node:fs";
import path from "node:path";
import type { PiiFinding, PiiType } from "@/lib/privacy/pii";

export type Split = "dev" | "test";

export interface PiiItem {
  id: string;
  split: Split;
  text: string;
  expect: { type: PiiType; text: string }[];
  confuser?: PiiType;
}

export interface InjectionItem {
  id: string;
  split: Split;
  text: string;
  injection: boolean;
  kind?: string;
  source?: string;
}

const EVAL_DIR = path.resolve(process.cwd(), "lib/privacy/eval");

function readJsonl<T>(name: string): T[] {
  return fs
    .readFileSync(path.join(EVAL_DIR, name), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export const loadPiiItems = () => readJsonl<PiiItem>("pii.jsonl");
export const loadInjectionItems = () => readJsonl<InjectionItem>("injection.jsonl");

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export const emptyCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0 });
export const precision = (c: Counts) => (c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp));
export const recall = (c: Counts) => (c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn));

/**
 * Scores one item: a found span counts when it overlaps an expected span of the same type; an
 * expected value nobody found is a miss; anything else found is a false positive.
 */
export function scorePii(
  item: PiiItem,
  found: readonly Pick<PiiFinding, "type" | "start" | "end" | "text">[],
  into: Map<PiiType, Counts>,
  errors?: string[],
) {
  const expected = item.expect.map((e) => {
    const start = item.text.indexOf(e.text);
    return { ...e, start, end: start + e.text.length, hit: false };
  });
  for (const f of found) {
    const match = expected.find((e) => e.type === f.type && f.start < e.end && e.start < f.end && !e.hit);
    const c = into.get(f.type) ?? emptyCounts();
    if (match) {
      match.hit = true;
      c.tp++;
    } else {
      c.fp++;
      errors?.push(`[${item.split}] FP ${f.type} "${f.text}" in ${item.id}: ${item.text.slice(0, 100)}`);
    }
    into.set(f.type, c);
  }
  for (const e of expected) {
    if (e.hit) continue;
    const c = into.get(e.type) ?? emptyCounts();
    c.fn++;
    into.set(e.type, c);
    errors?.push(`[${item.split}] FN ${e.type} "${e.text}" in ${item.id}: ${item.text.slice(0, 100)}`);
  }
}
