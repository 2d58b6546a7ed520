// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every
// line must parse, every sample must belong to a family declared by # TYPE before it, no series
// may repeat, and histograms must be cumulative with a +Inf bucket equal to their count.
// Anything else throws, naming the line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string | null;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("The exposition must end with a newline.");
  const families = new Map<string, MetricFamily>();
  const seenSeries = new Set<string>();
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1} (${JSON.stringify(line.slice(0, 120))})`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // A plain comment.
      const [, keyword, name, rest = ""] = m;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name.`);
      const family = families.get(name!);
      if (keyword === "TYPE") {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type.`);
        if (family?.samples.length) throw new Error(`${where}: TYPE after samples of ${name}.`);
        if (family && family.type !== "untyped") throw new Error(`${where}: second TYPE for ${name}.`);
        families.set(name!, {
          name: name!,
          type: rest as MetricFamily["type"],
          help: family?.help ?? null,
          samples: [],
        });
      } else {
        if (family?.help != null) throw new Error(`${where}: second HELP for ${name}.`);
        families.set(name!, {
          name: name!,
          type: family?.type ?? "untyped",
          help: unescapeHelp(rest),
          samples: family?.samples ?? [],
        });
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`${where}: sample ${sample.name} has no # TYPE before it.`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`${where}: the series appears twice.`);
    seenSeries.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, MetricFamily>, sampleName: string): MetricFamily | undefined {
  const exact = families.get(sampleName);
  if (exact && exact.type !== "histogram") return exact;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = families.get(sampleName.slice(0, -suffix.length));
    if (base?.type === "histogram" || (base?.type === "summary" && suffix !== "_bucket")) return base;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`${where}: a sample must start with a metric name.`);
  const name = nameMatch[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === "{") {
    pos++;
    while (line[pos] !== "}") {
      const ln = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (!ln || !LABEL_NAME.test(ln[1]!)) throw new Error(`${where}: bad label at column ${pos + 1}.`);
      pos += ln[0].length;
      let value = "";
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new Error(`${where}: unterminated label value.`);
        pos++;
        if (c === '"') break;
        if (c === "\\") {
          const e = line[pos++];
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else throw new Error(`${where}: bad escape \\${e} in a label value.`);
        } else value += c;
      }
      if (ln[1]! in labels) throw new Error(`${where}: label ${ln[1]} repeated.`);
      labels[ln[1]!] = value;
      if (line[pos] === ",") pos++;
      else if (line[pos] !== "}") throw new Error(`${where}: expected , or } at column ${pos + 1}.`);
    }
    pos++;
  }
  const rest = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(line.slice(pos));
  if (!rest) throw new Error(`${where}: expected a value after the metric.`);
  return { name, labels, value: parseValue(rest[1]!, where) };
}

/** As Go's strconv.ParseFloat reads them (Prometheus does): NaN and Inf in any case. */
function parseValue(raw: string, where: string): number {
  const special = raw.toLowerCase();
  if (special === "+inf" || special === "inf") return Infinity;
  if (special === "-inf") return -Infinity;
  if (special === "nan") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`${where}: ${raw} is not a number.`);
  return Number(raw);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_, c: string) => (c === "n" ? "\n" : "\\"));
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le.`);
      entry.buckets.push([parseValue(le, family.name), s.value]);
    } else if (s.name.endsWith("_count")) entry.count = s.value;
    else if (s.name.endsWith("_sum")) entry.sum = s.value;
  }
  for (const [key, entry] of series) {
    const buckets = entry.buckets.sort((a, b) => a[0] - b[0]);
    const inf = buckets[buckets.length - 1];
    if (!inf || inf[0] !== Infinity) throw new Error(`${family.name}${key}: no le="+Inf" bucket.`);
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${family.name}${key}: buckets are not cumulative.`);
    }
    if (entry.count === undefined || entry.sum === undefined)
      throw new Error(`${family.name}${key}: _count or _sum missing.`);
    if (entry.count !== inf[1])
      throw new Error(`${family.name}${key}: _count ${entry.count} differs from the +Inf bucket ${inf[1]}.`);
  }
}

/** The value of one series, or undefined when it is absent. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(labels);
      if (keys.length === Object.keys(s.labels).length && keys.every((k) => s.labels[k] === labels[k])) return s.value;
    }
  }
  return undefined;
}
