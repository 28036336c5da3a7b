import type { EngineContext } from "../context";
import type { GuessLimit } from "../guess-limit";
import type { OutboxWriter } from "../outbox";
import { type CodeAccessor, createCodeAccess } from "./access";
import { createReissue, type Reissue } from "./reissue";
import { type CartStore, openCartStore } from "./store";

/** The session rules (SESSION_* variables); `codeSecret` (SESSION_CODE_SECRET) seals cart tokens. */
export interface SessionSettings {
  ttlMs: number;
  maxBadAttempts: number;
  badAttemptDelayMs: number;
  codeSecret?: string;
}

/** What every cart operation works with once the cart collections are ready. */
export interface CartParts {
  store: CartStore;
  access: CodeAccessor;
  reissue: Reissue;
}

/**
 * Opens the cart parts once (indexes and the sealing key) on first use; every later call gets
 * the same promise. A failed attempt is forgotten, so the next call tries again.
 */
export function lazyCartParts(
  ctx: EngineContext,
  deps: {
    session: SessionSettings;
    outbox: OutboxWriter;
    guesses: GuessLimit;
    sleep: (ms: number) => Promise<void>;
  },
): () => Promise<CartParts> {
  let opening: Promise<CartParts> | undefined;
  return function parts() {
    opening ??= (async () => {
      const store = await openCartStore(ctx, {
        ttlMs: deps.session.ttlMs,
        codeSecret: deps.session.codeSecret,
      });
      const reissue = createReissue(store, deps.outbox);
      const access = createCodeAccess(store, {
        maxBadAttempts: deps.session.maxBadAttempts,
        badAttemptDelayMs: deps.session.badAttemptDelayMs,
        sleep: deps.sleep,
        reissue: (doc, reason) => reissue(doc, reason),
        guesses: deps.guesses,
      });
      return { store, access, reissue };
    })();
    opening.catch(() => {
      opening = undefined;
    });
    return opening;
  };
}
