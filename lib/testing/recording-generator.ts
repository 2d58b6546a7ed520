import type { GenerationRequest, Generator } from "@/lib/models/generator";

/**
 * A real generator with a recorder around it: every run's request is kept, so a test can check
 * what reached the prompt. `alter` rewrites what the generator wrote, streaming the added text as
 * one more token: fault injection for output (personal data its passages do not hold, say) that
 * no model that runs here can be made to write on demand; everything around it stays real.
 * Methods are delegated one by one, since a class instance's methods do not survive a spread.
 */
export function recordingGenerator(inner: Generator, alter?: (text: string) => string) {
  const requests: GenerationRequest[] = [];
  const generator: Generator = {
    kind: inner.kind,
    identity: () => inner.identity(),
    promptBudget: () => inner.promptBudget(),
    countTokens: (t) => inner.countTokens(t),
    status: () => inner.status(),
    close: () => inner.close(),
    reserve() {
      const ticket = inner.reserve();
      return {
        run: async (req) => {
          requests.push(req);
          const result = await ticket.run(req);
          if (!alter) return result;
          const extra = alter(result.text).slice(result.text.length);
          req.onToken?.(extra);
          return { ...result, text: result.text + extra };
        },
        release: () => ticket.release(),
      };
    },
  };
  return { generator, requests };
}
