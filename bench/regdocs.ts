// Real policy and regulation text from ../shared/data/regdocs, parsed with the product's parsers:
// HIPAA (45 CFR 160/164), NIST SP 800-63-3 and a company's HIPAA policies. Used for the relevance
// floor: questions about these documents must clear it, everyday questions must not.
import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "@/ingest/parse";
import type { CorpusDocument } from "./corpus-store";

export const REGDOCS_DIR = path.resolve(process.cwd(), "../shared/data/regdocs");
const FOLDERS = ["hipaa-cfr-45-160-164-md", "nist-sp800-63-3-md", "datica-hipaa-policies-md"];

export async function loadRegdocs(): Promise<CorpusDocument[]> {
  const docs: CorpusDocument[] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(REGDOCS_DIR, folder);
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith(".md") || name === "LICENSE.md") continue;
      const parsed = await parseDocument(fs.readFileSync(path.join(dir, name)), { filename: name });
      docs.push({ key: `${folder}/${name}`, title: parsed.title ?? name, blocks: parsed.blocks });
    }
  }
  return docs;
}

/** Questions an employee might ask about these documents, with the file that answers each. */
export const REGDOCS_QUESTIONS: { question: string; file: string }[] = [
  {
    question: "How long must HIPAA policies and procedures documentation be retained?",
    file: "hipaa-cfr-45-160-164-md/164-316-policies-procedures-documentation.md",
  },
  {
    question: "What is the minimum length of a memorized secret chosen by the subscriber?",
    file: "nist-sp800-63-3-md/sp800-63b__sec5_authenticators.md",
  },
  {
    question:
      "Within how many days must individuals be notified after discovery of a breach of unsecured protected health information?",
    file: "hipaa-cfr-45-160-164-md/164-404-notification-individuals.md",
  },
  {
    question: "When may a covered entity disclose protected health information for public health activities?",
    file: "hipaa-cfr-45-160-164-md/164-512-uses-disclosures-opportunity-not-required.md",
  },
  {
    question: "What does the minimum necessary standard require?",
    file: "hipaa-cfr-45-160-164-md/164-502-uses-disclosures-general.md",
  },
  {
    question: "Which workstation security safeguards are required?",
    file: "hipaa-cfr-45-160-164-md/164-310-physical-safeguards.md",
  },
  {
    question: "How often are vulnerability scans performed?",
    file: "datica-hipaa-policies-md/16-vulnerability_scanning_policy.md",
  },
  {
    question: "What must a business associate agreement contain?",
    file: "hipaa-cfr-45-160-164-md/164-504-uses-disclosures-organization.md",
  },
  {
    question: "How should a reauthentication be handled when a session reaches its time limit at AAL2?",
    file: "nist-sp800-63-3-md/sp800-63b__sec4_aal.md",
  },
  {
    question: "What are the civil money penalty amounts for HIPAA violations?",
    file: "hipaa-cfr-45-160-164-md/160-404-amount-of-civil-penalty.md",
  },
  {
    question: "How is disposable media containing ePHI destroyed?",
    file: "datica-hipaa-policies-md/14-disposable_media_policy.md",
  },
  {
    question: "What identity evidence is required for identity proofing at IAL2?",
    file: "nist-sp800-63-3-md/sp800-63a__sec4_ial.md",
  },
];
