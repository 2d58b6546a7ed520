import { describe, expect, it } from "vitest";
import { assertAcceptablePassword, passwordProblem } from "./password-strength";

describe("password policy", () => {
  it("refuses common and leaked passwords with a message that says why and what to do", async () => {
    for (const weak of ["password1234", "qwertyuiop12", "P@ssw0rd2024!", "iloveyou1234"]) {
      const problem = await passwordProblem(weak);
      expect(problem, weak).toMatch(/^This password is too easy to guess\. /);
    }
    expect(await passwordProblem("P@ssw0rd2024!")).toContain("commonly used password");
  });

  it("refuses a password built from the person's own email or name", async () => {
    const about = { email: "qzorvath@example.org", name: "Ilsabet Qzorvath" };
    expect(await passwordProblem("qzorvath2024!")).toBeNull();
    expect(await passwordProblem("qzorvath2024!", about)).toMatch(/too easy to guess/);
  });

  it("names the length limits", async () => {
    expect(await passwordProblem("short")).toBe("Password must be at least 12 characters.");
    expect(await passwordProblem("x".repeat(257))).toBe("Password must be at most 256 characters.");
  });

  it("accepts a passphrase of unrelated words", async () => {
    expect(await passwordProblem("ledger quartz mariner 7")).toBeNull();
    await expect(assertAcceptablePassword("correct horse battery staple")).resolves.toBeUndefined();
    await expect(assertAcceptablePassword("password1234")).rejects.toMatchObject({ status: 400 });
  });
});
