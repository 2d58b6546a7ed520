import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { acquireLease, getLease, requestLeaseWork } from "@/db/queries/leases";
import { maintenanceLeases } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import type { IndexReport } from "./store";
import { CHUNK_UPKEEP_LEASE, clusterUpkeep } from "./upkeep";

// Several processes asking for index upkeep: it runs once at a time across them, requests made
// during a run are not lost, and a crashed holder's lease lapses.

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.db.delete(maintenanceLeases);
});

const REPORT: IndexReport = { rows: 1, vectorIndex: false, optimized: true };

/** A store whose upkeep runs are counted and can be held open until released. */
function countingStore() {
  let runs = 0;
  let hold: Promise<void> | null = null;
  let release = () => {};
  let entered = () => {};
  let enteredP = new Promise<void>((r) => (entered = r));
  return {
    get runs() {
      return runs;
    },
    holdNext() {
      hold = new Promise<void>((r) => (release = r));
      enteredP = new Promise<void>((r) => (entered = r));
    },
    release: () => release(),
    entered: () => enteredP,
    store: async () => ({
      async ensureIndexes() {
        runs++;
        entered();
        if (hold) await hold;
        hold = null;
        return REPORT;
      },
    }),
  };
}

describe("index upkeep across the cluster", () => {
  it("runs in one process at a time; a request made meanwhile is run next, once", async () => {
    const s = countingStore();
    const a = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 0, holder: "node-a" });
    const b = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 0, holder: "node-b" });
    s.holdNext();
    const running = a.afterWrite();
    await s.entered();
    expect((await getLease(h.db, { name: CHUNK_UPKEEP_LEASE }))?.holder).toBe("node-a");
    await b.afterWrite(); // node-a holds the lease: node-b records its request and returns
    await a.runIfDue();
    expect(s.runs).toBe(1);
    s.release();
    await running;
    expect((await getLease(h.db, { name: CHUNK_UPKEEP_LEASE }))?.holder).toBeNull();
    // node-b's write came after node-a's run started, so it is still pending: one more run.
    expect(await b.runIfDue()).toEqual(REPORT);
    expect(s.runs).toBe(2);
    expect(await a.runIfDue()).toBeNull();
    expect(await b.runIfDue()).toBeNull();
    expect(s.runs).toBe(2);
  });

  it("does not run again within the interval, wherever the write happened", async () => {
    const s = countingStore();
    const a = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 60_000, holder: "node-a" });
    const b = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 60_000, holder: "node-b" });
    await a.afterWrite();
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).afterWrite();
    expect(s.runs).toBe(1);
    // Still pending: a process without the interval (or this one, later) picks it up.
    const c = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 0, holder: "node-c" });
    expect(await c.runIfDue()).toEqual(REPORT);
    expect(s.runs).toBe(2);
  });

  it("takes over from a holder that died: its lease lapses", async () => {
    await requestLeaseWork(h.db, { name: CHUNK_UPKEEP_LEASE });
    const dead = await acquireLease(h.db, {
      name: CHUNK_UPKEEP_LEASE,
      holder: "crashed",
      leaseMs: 3000,
      minIntervalMs: 0,
    });
    expect(dead?.holder).toBe("crashed");
    await requestLeaseWork(h.db, { name: CHUNK_UPKEEP_LEASE });
    const s = countingStore();
    const b = clusterUpkeep({ db: h.db, store: s.store, minIntervalMs: 0, holder: "node-b" });
    expect(await b.runIfDue()).toBeNull(); // the crashed holder's lease is still live
    await new Promise((r) => setTimeout(r, 3200));
    expect(await b.runIfDue()).toEqual(REPORT);
    expect(s.runs).toBe(1);
  });

  it("asks again after a failed run, so the next look retries it", async () => {
    let calls = 0;
    const failing = async () => ({
      async ensureIndexes(): Promise<IndexReport> {
        calls++;
        if (calls === 1) throw new Error("object store unreachable");
        return REPORT;
      },
    });
    const a = clusterUpkeep({ db: h.db, store: failing, minIntervalMs: 0, holder: "node-a" });
    await a.afterWrite();
    expect(calls).toBe(1);
    expect(await a.runIfDue()).toEqual(REPORT);
    expect(await a.runIfDue()).toBeNull();
    expect(calls).toBe(2);
  });
});
