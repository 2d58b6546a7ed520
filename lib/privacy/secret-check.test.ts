import { describe, expect, it } from "vitest";
import { describeSecrets, findObviousSecrets } from "./secret-check";

describe("findObviousSecrets (the chat's warning before sending)", () => {
  it("names passwords, private keys and API keys with their spans", () => {
    const q = "My password is Hunter2!x, why can't I log in?";
    const [f] = findObviousSecrets(q);
    expect(f).toEqual({ kind: "password", start: 15, end: 24 });
    expect(q.slice(f!.start, f!.end)).toBe("Hunter2!x");
    expect(
      findObviousSecrets("Is this key still valid: ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s ?").map((s) => s.kind),
    ).toEqual(["api_key"]);
    expect(
      findObviousSecrets(
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
      ).map((s) => s.kind),
    ).toEqual(["private_key"]);
  });

  it("stays quiet for questions about passwords that hold none", () => {
    for (const q of [
      "How long must a password be?",
      "What is the password policy for shared accounts?",
      "Who can reset my password: the service desk or my manager?",
      "Where do I find the API key rotation procedure?",
    ]) {
      expect(findObviousSecrets(q), q).toEqual([]);
    }
  });

  it("describes what was found by kind, never by value", () => {
    const found = findObviousSecrets("password: Tr0ub4dor&3 and token ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R9s");
    expect(describeSecrets(found)).toBe("a password and an API key or access token");
    expect(describeSecrets(found)).not.toContain("Tr0ub4dor");
  });
});
