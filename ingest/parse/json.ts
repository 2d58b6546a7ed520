// JSON → OSCAL catalog structure when it is one; otherwise "path.to.key: value" records under a
// heading per top-level key, with one record per element of an array of objects.

import type { ParsedDocument } from "@/lib/documents/parsed";
import { damaged } from "./errors";
import { BlockSink, finishDocument } from "./blocks";
import { isOscalCatalog, oscalCatalogToBlocks } from "./oscal";
import { collapseSpace } from "./text-utils";

/** Deeper than this, values are summarised: real documents are shallow, hostile ones are not. */
const MAX_DEPTH = 32;

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

class JsonFlattener {
  truncated = false;

  constructor(private readonly sink: BlockSink) {}

  /** A value under `path`: scalars and scalar arrays are one line; objects become records. */
  value(value: unknown, path: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.truncated = true;
      return;
    }
    if (isScalar(value)) this.sink.add("record", `${path || "value"}: ${collapseSpace(String(value))}`);
    else if (Array.isArray(value) && value.every(isScalar))
      this.sink.add("record", `${path || "values"}: ${scalarList(value)}`);
    else if (Array.isArray(value)) value.forEach((element, i) => this.value(element, `${path}[${i}]`, depth + 1));
    else if (isPlainObject(value)) this.record(value, path, depth);
  }

  /** One record for an object's scalar fields (nested objects inlined); arrays of objects follow as their own records. */
  private record(object: Record<string, unknown>, path: string, depth: number): void {
    const lines: string[] = [];
    const deferred: [unknown[], string][] = [];
    const collect = (obj: Record<string, unknown>, prefix: string, level: number) => {
      for (const [key, v] of Object.entries(obj)) {
        const p = join(prefix, key);
        if (level > MAX_DEPTH) this.truncated = true;
        else if (isScalar(v)) lines.push(`${p}: ${collapseSpace(String(v))}`);
        else if (Array.isArray(v) && v.every(isScalar)) lines.push(`${p}: ${scalarList(v)}`);
        else if (Array.isArray(v)) deferred.push([v, p]);
        else if (isPlainObject(v)) collect(v, p, level + 1);
      }
    };
    collect(object, path, depth);
    this.sink.add("record", lines.join("\n"));
    for (const [array, p] of deferred) this.value(array, p, depth + 1);
  }
}

function scalarList(values: Scalar[]): string {
  return values.map((v) => collapseSpace(String(v))).join(", ");
}

/**
 * V8's message, made readable: its character offset becomes a line and column, and the quoted
 * excerpt of the document that some messages carry (multi-line, cut mid-token) is dropped.
 */
function readableJsonError(err: SyntaxError, text: string): Error {
  const excerpt = /^Unexpected token '(.+?)', (?:\.\.\.)?".*" is not valid JSON$/s.exec(err.message);
  if (excerpt) return new Error(`Unexpected token '${excerpt[1]}'`, { cause: err });
  // Node.js 20 says "at position 38"; 22 and later add " (line 3 column 13)" themselves.
  const match = /at position (\d+)(?: \(line \d+ column \d+\))?/.exec(err.message);
  if (!match) return err;
  const before = text.slice(0, Number(match[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return new Error(err.message.replace(match[0], `at line ${line}, column ${column}`), { cause: err });
}

export function parseJson(text: string): ParsedDocument {
  let root: unknown;
  try {
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw damaged("JSON file", readableJsonError(err, text));
    }
    throw err;
  }

  const sink = new BlockSink();
  if (isOscalCatalog(root)) {
    const { title } = oscalCatalogToBlocks(root, sink);
    return finishDocument("json", sink, { title });
  }

  const flattener = new JsonFlattener(sink);
  if (isPlainObject(root)) {
    for (const [key, value] of Object.entries(root)) {
      sink.add("heading", key, { level: 1 });
      flattener.value(value, key, 1);
    }
  } else {
    flattener.value(root, "", 0);
  }
  const warnings = flattener.truncated ? [`Values nested deeper than ${MAX_DEPTH} levels were left out.`] : [];
  const title = isPlainObject(root) && typeof root.title === "string" ? root.title : undefined;
  return finishDocument("json", sink, { title, warnings });
}
