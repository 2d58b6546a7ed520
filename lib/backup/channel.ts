/**
 * Turns a producer that pushes bytes (and must run inside a callback, such as a database
 * transaction) into an async generator the consumer pulls; each push waits until its chunk is
 * taken, so memory holds one chunk whatever the consumer's speed.
 */
export function pullFrom(
  produce: (push: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): AsyncGenerator<Uint8Array> {
  type Slot = { chunk: Uint8Array; taken: () => void };
  let slot: Slot | null = null;
  let finished = false;
  let failure: { error: unknown } | null = null;
  let cancelled = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let started = false;
  const start = () => {
    started = true;
    produce(
      (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (cancelled) {
            reject(new Error("The reader went away."));
            return;
          }
          slot = { chunk, taken: resolve };
          notify();
        }),
    ).then(
      () => {
        finished = true;
        notify();
      },
      (error: unknown) => {
        failure = { error };
        notify();
      },
    );
  };
  return (async function* () {
    try {
      if (!started) start();
      for (;;) {
        if (slot) {
          const s: Slot = slot;
          slot = null;
          yield s.chunk;
          s.taken();
          continue;
        }
        if (failure) throw (failure as { error: unknown }).error;
        if (finished) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      cancelled = true;
      const s = slot as Slot | null;
      if (s) s.taken();
    }
  })();
}
