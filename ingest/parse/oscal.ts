// OSCAL catalogs (e.g. NIST SP 800-53 in JSON) → group / control / enhancement headings with the
// statement and guidance prose, parameters written out the way the published catalog prints them.

import type { BlockSink } from "./blocks";
import { collapseSpace } from "./text-utils";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const INSERT_PARAM = /\{\{\s*insert:\s*param,\s*([^}\s]+)\s*\}\}/g;

export function isOscalCatalog(value: unknown): value is { catalog: Json } {
  if (!isObject(value) || !isObject(value.catalog)) return false;
  return Array.isArray(value.catalog.groups) || Array.isArray(value.catalog.controls);
}

class OscalRenderer {
  private readonly params = new Map<string, Json>();

  constructor(private readonly sink: BlockSink) {}

  /** Parameters may be declared on a parent control and used by its enhancements, so index all first. */
  indexParams(node: Json): void {
    for (const param of objects(node.params)) {
      const id = str(param.id);
      if (id) this.params.set(id, param);
    }
    for (const child of [...objects(node.groups), ...objects(node.controls)]) this.indexParams(child);
  }

  private substitute(prose: string, depth = 0): string {
    return prose.replace(INSERT_PARAM, (_m, id: string) => this.renderParam(id, depth));
  }

  private renderParam(id: string, depth: number): string {
    const param = this.params.get(id);
    if (!param || depth > 4) return `[Assignment: ${id}]`;
    const values = Array.isArray(param.values) ? param.values.filter((v): v is string => typeof v === "string") : [];
    if (values.length > 0) return values.join(", ");
    if (isObject(param.select)) {
      const choices = (Array.isArray(param.select.choice) ? param.select.choice : [])
        .filter((c): c is string => typeof c === "string")
        .map((c) => collapseSpace(this.substitute(c, depth + 1)));
      const howMany = str(param.select["how-many"]) === "one-or-more" ? " (one or more)" : "";
      return `[Selection${howMany}: ${choices.join("; ")}]`;
    }
    const label = str(param.label);
    if (!label) return `[Assignment: ${id}]`;
    return `[Assignment: ${/^organization-defined\b/.test(label) ? label : `organization-defined ${label}`}]`;
  }

  group(group: Json, level: number): void {
    const id = str(group.id);
    const title = str(group.title) ?? "";
    this.sink.add("heading", collapseSpace(`${id ? id.toUpperCase() : ""} ${title}`), { level });
    for (const part of objects(group.parts)) this.part(part, "");
    for (const sub of objects(group.groups)) this.group(sub, level + 1);
    for (const control of objects(group.controls)) this.control(control, level + 1);
  }

  control(control: Json, level: number): void {
    this.sink.add("heading", collapseSpace(`${controlLabel(control)} ${str(control.title) ?? ""}`), { level });
    const parts = objects(control.parts);
    const statement = parts.find((p) => p.name === "statement");
    if (statement) this.part(statement, "");
    else if (objects(control.props).some((p) => p.name === "status" && p.value === "withdrawn")) {
      this.sink.add("paragraph", "This control is withdrawn.");
    }
    for (const guidance of parts.filter((p) => p.name === "guidance")) this.part(guidance, "Discussion: ");
    for (const enhancement of objects(control.controls)) this.control(enhancement, level + 1);
  }

  /** One paragraph per statement item, prefixed with its label ("a.", "1.") as printed. */
  private part(part: Json, prefix: string): void {
    const label = objects(part.props).find((p) => p.name === "label");
    const labelText = label ? `${str(label.value) ?? ""} ` : "";
    const prose = str(part.prose);
    if (prose) {
      const paragraphs = this.substitute(prose).split(/\n\s*\n/);
      paragraphs.forEach((p, i) =>
        this.sink.add("paragraph", collapseSpace(`${i === 0 ? prefix + labelText : ""}${p}`)),
      );
    }
    for (const child of objects(part.parts)) {
      if (child.name === "item" || child.name === "statement" || child.name === "guidance") this.part(child, "");
    }
  }
}

/** The plain "AC-2(1)" label rather than the zero-padded or SP 800-53A variants. */
function controlLabel(control: Json): string {
  const labels = objects(control.props).filter((p) => p.name === "label");
  const plain = labels.find((p) => p.class === undefined) ?? labels[0];
  return str(plain?.value) ?? (str(control.id) ?? "").toUpperCase();
}

export function oscalCatalogToBlocks(root: { catalog: Json }, sink: BlockSink): { title?: string } {
  const { catalog } = root;
  const renderer = new OscalRenderer(sink);
  renderer.indexParams(catalog);
  for (const group of objects(catalog.groups)) renderer.group(group, 1);
  for (const control of objects(catalog.controls)) renderer.control(control, 1);
  const metadata = isObject(catalog.metadata) ? catalog.metadata : {};
  return { title: str(metadata.title) };
}
