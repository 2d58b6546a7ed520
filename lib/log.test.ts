import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "./log";

// Logs are read by operators who are not cleared for content: a database error must not carry
// the statement's parameters (document text, questions, answers) into them.

afterEach(() => vi.restoreAllMocks());

describe("log", () => {
  it("keeps a failed statement but withholds its parameters, in the message, the stack and causes", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const cause = new Error(
      "Failed query: insert into messages (content) values ($1)\nparams: the patient's SSN is 123-45-6789",
    );
    log.error("answer failed", {
      err: new Error("Failed query: insert into audit_events values ($1, $2)\nparams: Hand hygiene protocol,secret", {
        cause,
      }),
    });
    const text = lines.join("");
    expect(text).toContain("insert into audit_events values ($1, $2)");
    expect(text).toContain("params: [withheld]");
    expect(text).not.toContain("Hand hygiene protocol");
    expect(text).not.toContain("123-45-6789");
  });
});
