import { describe, expect, it } from "vitest";
import { describeEvent } from "./describe";
import { AUDIT_EVENT_TYPES } from "./types";

describe("event summaries", () => {
  it("gives every event type a sentence of its own, not its bare type", () => {
    const bare = AUDIT_EVENT_TYPES.filter((t) => describeEvent(t, {}) === t);
    expect(bare).toEqual([]);
  });

  it("names who and what from the payload", () => {
    expect(describeEvent("auth.mfa_reset", { email: "nurse@example.test", sessionsEnded: 2 })).toBe(
      "Reset the two-step sign-in of nurse@example.test (2 sessions ended)",
    );
    expect(describeEvent("user.password_reset", { email: "nurse@example.test" })).toBe(
      "Reset the password of nurse@example.test to a one-time password",
    );
    expect(describeEvent("auth.mfa_recovery_code_used", { method: "recovery_code", remaining: 9 })).toBe(
      "Signed in with a recovery code (9 left)",
    );
  });
});
