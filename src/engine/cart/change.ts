import { driverCollection } from "../../../models";
import type { CartLine, CartSessionDoc } from "../../../models/cart-session";
import { type UserIdentity, userKey } from "../../kernel";
import type { EngineContext } from "../context";
import { UserError, userError } from "../errors";
import { currentView, findCurrentCart } from "./current";
import { totalQtyOf } from "./lines";
import type { CartParts } from "./parts";
import { retryingConflicts } from "./retry";
import type { CurrentCart } from "./types";

/** Optimistic writes retry on a version conflict; this many rounds outlast any two-device race. */
export const MAX_WRITE_ROUNDS = 100;
/** How many recent chat events a cart remembers (platforms retry one event, not dozens at once). */
const REMEMBERED_EVENTS = 20;
/** The fields a code reissue or an improper access changes, without a new version of the cart. */
const REISSUED_FIELDS = {
  serial: 1,
  tokenHash: 1,
  tokenSealed: 1,
  codeIssuedAt: 1,
  reissues: 1,
  badAttempts: 1,
  badAttemptsTotal: 1,
} as const;
/** Shoppers whose current cart this process remembers (about 1 KB each). */
const REMEMBERED_CARTS = 10_000;

export type LinesChange = (lines: readonly CartLine[]) => CartLine[];

/** The refusal of a change to a cart checked out and awaiting payment: pay, or wait for it to open again. */
function awaitingPayment(doc: CartSessionDoc) {
  return userError("CART_AWAITING_PAYMENT", {
    url: doc.payment?.checkoutUrl ?? null,
    until: doc.payment?.dueBy ?? doc.expiresAt,
  });
}

/** A short random pause before another round, so racing writers fall out of step. */
export function backOff(round: number): Promise<unknown> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, 2 ** round)));
}

/**
 * `/cart add` and `/cart remove`: changes to the lines of the caller's current cart, written
 * conditional on the version read so no device's item is lost.
 */
export function createCartChanges(ctx: EngineContext, parts: () => Promise<CartParts>) {
  /**
   * Each shopper's current cart as this process last read or wrote it, so a returning shopper's
   * change is one conditional write: it names the version seen here, so if anything changed the
   * cart since (another device, another instance, a resume elsewhere bumps the version of the
   * cart it leaves) the write matches nothing and the change takes the reading path instead.
   */
  const lastSeen = new Map<string, CartSessionDoc>();
  const remember = (key: string, doc: CartSessionDoc) => {
    lastSeen.delete(key);
    lastSeen.set(key, doc);
    if (lastSeen.size > REMEMBERED_CARTS) lastSeen.delete(lastSeen.keys().next().value as string);
  };

  /** Writes `change` of `doc`'s lines, conditional on `doc`'s version; null when the cart moved on. */
  async function writeLines(
    p: CartParts,
    doc: CartSessionDoc,
    change: LinesChange,
    eventKey: string | undefined,
    now: Date,
  ): Promise<CartSessionDoc | null> {
    const lines = change(doc.lines);
    const set = {
      lines,
      totalQty: totalQtyOf(lines),
      lastActivityAt: now,
      expiresAt: new Date(now.getTime() + p.store.ttlMs),
    };
    // Only the new event travels (the store appends it), and only what may have changed without
    // a new version comes back: the code, which a reissue replaces. Everything else is as in
    // `doc` (the version matched) or as written here.
    const code = await retryingConflicts(() =>
      driverCollection(p.store.models.CartSession).findOneAndUpdate(
        { _id: doc._id, version: doc.version, status: "open", expiresAt: { $gt: now } },
        {
          $set: set,
          $inc: { version: 1 },
          ...(eventKey
            ? { $push: { appliedEvents: { $each: [eventKey], $slice: -REMEMBERED_EVENTS } } }
            : {}),
        },
        { returnDocument: "after", projection: REISSUED_FIELDS },
      ),
    );
    if (!code) return null;
    const applied = doc.appliedEvents ?? [];
    return {
      ...doc,
      ...code,
      ...set,
      version: doc.version + 1,
      appliedEvents: eventKey ? [...applied, eventKey].slice(-REMEMBERED_EVENTS) : applied,
    };
  }

  /**
   * Applies `change` to the lines of a live session: read, compute (UserErrors thrown here change
   * nothing), write conditional on the version read; a concurrent writer makes us re-read and
   * re-apply, so no device's item is lost. `replayed`: the event had already changed the cart.
   */
  async function changeLines(
    p: CartParts,
    start: CartSessionDoc,
    change: LinesChange,
    eventKey: string | undefined,
  ): Promise<{ doc: CartSessionDoc; replayed: boolean }> {
    const sessionId = start._id;
    // The first round works on the session the caller just read; later rounds re-read it.
    let doc: CartSessionDoc | null = start;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const now = ctx.clock.now();
      if (round > 0) doc = await p.store.models.CartSession.findById(sessionId).lean();
      if (doc?.status === "paying") throw awaitingPayment(doc);
      if (!doc || !p.store.isLive(doc, now)) {
        throw userError("CART_ENDED");
      }
      // A retry of a change already made.
      if (eventKey && doc.appliedEvents?.includes(eventKey)) return { doc, replayed: true };
      const written = await writeLines(p, doc, change, eventKey, now);
      if (written) return { doc: written, replayed: false };
      await backOff(round);
    }
    throw new Error(`cart ${sessionId}: too many concurrent changes`);
  }

  return {
    /**
     * First as one write on the cart this process last saw for the shopper; when that cart moved
     * on (or was never seen here, or the change is refused on what may be an old copy), by
     * reading the pointer and the session.
     */
    async change(
      user: UserIdentity,
      change: LinesChange,
      eventKey: string | undefined,
    ): Promise<CurrentCart> {
      const p = await parts();
      const key = userKey(user);
      const known = lastSeen.get(key);
      const now = ctx.clock.now();
      if (known && p.store.isLive(known, now) && !(eventKey && known.appliedEvents?.includes(eventKey))) {
        const written = await writeLines(p, known, change, eventKey, now).catch((error: unknown) => {
          if (error instanceof UserError) return null; // judged on a copy: judge again on the cart as it is
          throw error;
        });
        if (written) {
          remember(key, written);
          return currentView(p, { doc: written, issued: false });
        }
      }
      const found = await findCurrentCart(ctx, p, user, true);
      if (!found) throw new Error("unreachable: current(create) returned nothing");
      const { doc, replayed } = await changeLines(p, found.doc, change, eventKey);
      remember(key, doc);
      return { ...(await currentView(p, found, doc)), ...(replayed ? { replayed } : {}) };
    },
    /** The shopper's cart changed elsewhere in this process (checkout, resume): read it next time. */
    forget(key: string): void {
      lastSeen.delete(key);
    },
  };
}
