// USE-lite throughput by batch size on ~250-token chunks, printed as figures (not a test):
//   node --conditions=react-server --import tsx lib/models/embedder.bench.ts
import { loadUseLiteEmbedder } from "./use-lite-embedder";

const SENTENCES = [
  "The patient was admitted with acute chest pain and shortness of breath.",
  "Nurses record vital signs every four hours and escalate any early warning score above five.",
  "Heparin infusions are adjusted according to the activated partial thromboplastin time.",
  "Customers must verify their identity before a transfer above the daily limit is released.",
  "The credit committee reviews every mortgage application that exceeds the loan-to-value threshold.",
  "Suspicious transactions are reported to the financial intelligence unit within three working days.",
  "Agency staff complete data protection training within their first month of employment.",
  "Requests under the freedom of information act are answered within twenty working days.",
  "Incident reports are reviewed weekly by the clinical governance group.",
  "Consent forms are scanned into the electronic record and the paper copy is destroyed.",
  "Budget variances above five percent require a written explanation from the department head.",
  "Visitors to the intensive care unit must wash their hands and wear an apron.",
];

function chunk(seed: number): string {
  const parts: string[] = [];
  let state = seed;
  while (parts.join(" ").length < 1000) {
    state = (state * 16807) % 2147483647;
    parts.push(SENTENCES[state % SENTENCES.length]!);
  }
  return parts.join(" ");
}

async function main() {
  const texts = Array.from({ length: 128 }, (_, i) => chunk(i + 1));
  const sizes = [1, 8, 16, 32, 64];
  const best = new Map<number, number>();
  for (const batchSize of sizes) {
    const embedder = await loadUseLiteEmbedder({ batchSize });
    await embedder.embed(texts.slice(0, 4));
    // Three rounds, best kept: other processes on a shared 2-core machine only ever slow a round down.
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      await embedder.embed(texts);
      const rate = texts.length / ((performance.now() - t) / 1000);
      best.set(batchSize, Math.max(best.get(batchSize) ?? 0, rate));
    }
    if (batchSize === sizes.at(-1)) {
      const query = "What is the heparin dose for a patient with renal impairment?";
      const t = performance.now();
      for (let i = 0; i < 20; i++) await embedder.embed([`${query} ${i}`]);
      console.log(`one short query: ${((performance.now() - t) / 20).toFixed(1)} ms`);
      const long = chunk(999).repeat(20).slice(0, 20_000);
      const rss = process.memoryUsage().rss;
      const t2 = performance.now();
      await embedder.embed([long]);
      console.log(
        `one 20,000-character text: ${(performance.now() - t2).toFixed(0)} ms, rss +${((process.memoryUsage().rss - rss) / 1e6).toFixed(0)} MB`,
      );
    }
    await embedder.close();
  }
  for (const [batchSize, rate] of best)
    console.log(`batch ${String(batchSize).padStart(2)}: ${rate.toFixed(1)} texts/s (~250 tokens each)`);
}

void main();
