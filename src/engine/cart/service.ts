import { driverCollection, type ProductDoc } from "../../../models";
import type { CartLine, CartSessionDoc } from "../../../models/cart-session";
import { type UserIdentity, userKey } from "../../kernel";
import { UserError } from "../errors";
import type { EngineCore } from "../index";
import { createCodeAccess } from "./access";
import { checkQty, checkSku } from "./limits";
import { addLine, removeLine, totalQtyOf } from "./lines";
import { createReissue } from "./reissue";
import { retryingConflicts } from "./retry";
import { type CartStore, openCartStore } from "./store";
import type { CartView, CheckoutResult, CodeAccess, CurrentCart } from "./types";

export interface CartServiceOptions {
  /** Waits out improper-access delays. Default: a real timer. Tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Key material for sealing tokens (SESSION_CODE_SECRET); unset = a key kept in the database. */
  codeSecret?: string;
}

/** Who presents a code to the page: a user, or an opaque key such as `web:<address>`. */
export type Sender = UserIdentity | string;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Optimistic writes retry on a version conflict; this many rounds outlast any two-device race. */
const MAX_WRITE_ROUNDS = 100;
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

export type CartService = ReturnType<typeof createCartService>;

/**
 * Cart sessions (issue 5): each shopper's cart is a session with a code `<serial>-<token>`, issued
 * on first access, used until checkout, resumable by code from any platform, expiring when idle.
 */
export function createCartService(core: EngineCore, options: CartServiceOptions = {}) {
  const { ctx, catalog, orders, outbox } = core;
  const settings = core.deps.session;
  const sleep = options.sleep ?? realSleep;
  let opening: Promise<Parts> | undefined;
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

  interface Parts {
    store: CartStore;
    access: ReturnType<typeof createCodeAccess>;
    reissue: ReturnType<typeof createReissue>;
  }

  /** Indexes and the sealing key, once per service; a failed attempt is retried by the next call. */
  function parts(): Promise<Parts> {
    opening ??= (async () => {
      const store = await openCartStore(ctx, {
        ttlMs: settings.ttlMs,
        codeSecret: options.codeSecret ?? settings.codeSecret,
      });
      const reissue = createReissue(store, outbox.writer);
      const access = createCodeAccess(store, {
        maxBadAttempts: settings.maxBadAttempts,
        badAttemptDelayMs: settings.badAttemptDelayMs,
        sleep,
        reissue: (doc, reason) => reissue(doc, reason),
        guesses: core.guesses,
      });
      return { store, access, reissue };
    })();
    opening.catch(() => {
      opening = undefined;
    });
    return opening;
  }

  /** The view of a session, rekeying it first if its sealed token no longer opens (key changed). */
  async function viewOf(p: Parts, doc: CartSessionDoc): Promise<CartView> {
    let current = doc;
    for (let round = 0; round < 3; round++) {
      const code = p.store.codeOf(current);
      if (code) return p.store.view(current, code);
      await p.reissue(current, "rekey");
      const reread = await p.store.models.CartSession.findById(doc._id).lean();
      if (!reread) break;
      current = reread;
    }
    throw new Error(`cart session ${doc._id}: its code cannot be shown (sealing key changed?)`);
  }

  /**
   * The caller's current cart: the one their pointer names while it is live, else (with `create`)
   * a new session. The pointer is swapped by compare-and-set, so two devices racing on a first
   * access share one cart; the loser's fresh session is discarded before anyone saw it.
   */
  async function current(
    p: Parts,
    user: UserIdentity,
    create: boolean,
  ): Promise<{ doc: CartSessionDoc; issued: boolean; replaced?: "expired" | "checked_out" } | undefined> {
    const { CartSession, CartPointer } = p.store.models;
    const key = userKey(user);
    for (let round = 0; round < 10; round++) {
      const now = ctx.clock.now();
      const pointer = await CartPointer.findById(key).lean();
      let replaced: "expired" | "checked_out" | undefined;
      if (pointer) {
        const doc = await CartSession.findById(pointer.sessionId).lean();
        if (doc && p.store.isLive(doc, now)) return { doc, issued: false };
        if (doc?.status === "open") await p.store.markExpired(doc, now);
        if (doc) replaced = doc.status === "checked_out" ? "checked_out" : "expired";
      }
      if (!create) return undefined;
      const fresh = await p.store.newSessionDoc({ platform: user.platform, id: user.id, key }, now);
      await CartSession.create([fresh]);
      let swapped: boolean;
      if (pointer) {
        const result = await CartPointer.updateOne(
          { _id: key, sessionId: pointer.sessionId },
          { $set: { sessionId: fresh._id, updatedAt: now } },
        );
        swapped = result.matchedCount === 1;
      } else {
        swapped = await CartPointer.create([{ _id: key, sessionId: fresh._id, updatedAt: now }]).then(
          () => true,
          (error: unknown) => {
            if ((error as { code?: unknown })?.code === 11000) return false;
            throw error;
          },
        );
      }
      if (swapped) return { doc: fresh, issued: true, ...(replaced ? { replaced } : {}) };
      await CartSession.deleteOne({ _id: fresh._id, version: 0 });
    }
    throw new Error(`cart pointer for ${key} kept changing`);
  }

  /** Writes `change` of `doc`'s lines, conditional on `doc`'s version; null when the cart moved on. */
  async function writeLines(
    p: Parts,
    doc: CartSessionDoc,
    change: (lines: readonly CartLine[]) => CartLine[],
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
    p: Parts,
    start: CartSessionDoc,
    change: (lines: readonly CartLine[]) => CartLine[],
    eventKey: string | undefined,
  ): Promise<{ doc: CartSessionDoc; replayed: boolean }> {
    const sessionId = start._id;
    // The first round works on the session the caller just read; later rounds re-read it.
    let doc: CartSessionDoc | null = start;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const now = ctx.clock.now();
      if (round > 0) doc = await p.store.models.CartSession.findById(sessionId).lean();
      if (!doc || !p.store.isLive(doc, now)) {
        throw new UserError(
          "CART_ENDED",
          "that cart just ended (checked out or expired); type /cart to start a new one",
        );
      }
      // A retry of a change already made.
      if (eventKey && doc.appliedEvents?.includes(eventKey)) return { doc, replayed: true };
      const written = await writeLines(p, doc, change, eventKey, now);
      if (written) return { doc: written, replayed: false };
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, 2 ** round)));
    }
    throw new Error(`cart ${sessionId}: too many concurrent changes`);
  }

  /**
   * `/cart add` and `/cart remove`: first as one write on the cart this process last saw for the
   * shopper; when that cart moved on (or was never seen here, or the change is refused on what
   * may be an old copy), by reading the pointer and the session.
   */
  async function changeCart(
    user: UserIdentity,
    change: (lines: readonly CartLine[]) => CartLine[],
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
    const found = await current(p, user, true);
    if (!found) throw new Error("unreachable: current(create) returned nothing");
    const { doc, replayed } = await changeLines(p, found.doc, change, eventKey);
    remember(key, doc);
    return { ...(await currentView(p, found, doc)), ...(replayed ? { replayed } : {}) };
  }

  async function currentView(
    p: Parts,
    found: { doc: CartSessionDoc; issued: boolean; replaced?: "expired" | "checked_out" },
    doc: CartSessionDoc = found.doc,
  ): Promise<CurrentCart> {
    const view = await viewOf(p, doc);
    return { ...view, issued: found.issued, ...(found.replaced ? { replaced: found.replaced } : {}) };
  }

  async function requireProduct(sku: unknown): Promise<ProductDoc> {
    const key = checkSku(sku);
    const product = await catalog.get(key);
    if (!product) {
      throw new UserError(
        "UNKNOWN_PRODUCT",
        `There is no product "${String(sku).trim()}"; type /catalog to see what is for sale`,
      );
    }
    return product;
  }

  function senderKeyOf(sender: Sender): string {
    return typeof sender === "string" ? sender : userKey(sender);
  }

  return {
    /** `/cart` and `/cart show`: the caller's cart, issuing a session on first access (claim 7). */
    show(user: UserIdentity): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const p = await parts();
        const found = await current(p, user, true);
        if (!found) throw new Error("unreachable: current(create) returned nothing");
        if (found.issued) return currentView(p, found);
        // Looking at the cart is activity: it restarts the idle timer.
        const now = ctx.clock.now();
        await p.store.touch(found.doc._id, now);
        const touched = await p.store.models.CartSession.findById(found.doc._id).lean();
        return currentView(p, found, touched ?? found.doc);
      });
    },

    /**
     * `/cart add <sku> [qty=n]` (claims 6, 19): validated first, then added atomically. With the
     * chat event's key, a retry of an add already made changes nothing.
     */
    add(user: UserIdentity, sku: unknown, qty?: unknown, eventKey?: string): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const count = checkQty(qty, 1);
        const product = await requireProduct(sku);
        return changeCart(user, (lines) => addLine(lines, product, count), eventKey);
      });
    },

    /** `/cart remove <sku> [qty=n]`: no qty (or at least the line's) removes the line. */
    remove(user: UserIdentity, sku: unknown, qty?: unknown, eventKey?: string): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const count = qty === undefined || qty === null ? undefined : checkQty(qty, 1);
        const productId = checkSku(sku);
        const typed = String(sku).trim();
        return changeCart(user, (lines) => removeLine(lines, productId, typed, count), eventKey);
      });
    },

    /**
     * `/cart checkout`: closes the session and places one order per line through the shared
     * purchase procedure (each with its shipping request), all in one transaction. The closing
     * write comes first and is conditional on the version read, so a concurrent add either lands
     * before (and is ordered) or fails after (the cart has ended).
     */
    checkout(user: UserIdentity): Promise<CheckoutResult> {
      return ctx.guard(async () => {
        const p = await parts();
        const { CartSession } = p.store.models;
        const key = userKey(user);
        for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
          const found = await current(p, user, false);
          if (!found || found.doc.lines.length === 0) {
            throw new UserError("EMPTY_CART", "your cart is empty; add something first with /cart add <sku>");
          }
          const read = found.doc;
          const placed = await retryingConflicts(() =>
            ctx.tx(async (session) => {
              const now = ctx.clock.now();
              const closed = await CartSession.findOneAndUpdate(
                { _id: read._id, version: read.version, status: "open", expiresAt: { $gt: now } },
                { $set: { status: "checked_out", closedAt: now, lastActivityAt: now }, $inc: { version: 1 } },
                { session, returnDocument: "after" },
              ).lean();
              if (!closed) return undefined;
              const made = [];
              for (const line of closed.lines) {
                // The serial, not the whole code: an order record must not carry a usable secret.
                made.push(
                  await orders.placeOrder(session, {
                    userKey: key,
                    sku: line.productId,
                    qty: line.qty,
                    sessionCode: closed.serial,
                  }),
                );
              }
              const orderIds = made.map((order) => order._id);
              await CartSession.updateOne({ _id: read._id }, { $set: { orderIds } }, { session });
              return { closed: { ...closed, orderIds }, made };
            }),
          );
          if (!placed) {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, 2 ** round)));
            continue;
          }
          ctx.kickOutbox();
          lastSeen.delete(key);
          return {
            cart: await viewOf(p, placed.closed),
            orders: placed.made.map((order) => ({
              orderId: order._id,
              sku: order.sku,
              qty: order.qty,
              total: order.total,
              currency: order.currency,
            })),
          };
        }
        throw new Error("checkout: the cart kept changing");
      });
    },

    /**
     * `/cart resume <code>` (claims 21, 22): opens a cart by its code from any device or platform;
     * on success the caller works in that cart from now on. Malformed codes throw UserError.
     */
    resume(user: UserIdentity, code: string): Promise<CodeAccess> {
      return ctx.guard(async () => {
        const p = await parts();
        const key = userKey(user);
        const presented = await p.access.present(code, key);
        const resumed = presented.session;
        if (presented.access.kind === "ok" && resumed) {
          const { CartPointer, CartSession } = p.store.models;
          await ctx.tx(async (session) => {
            const before = await CartPointer.findOneAndUpdate(
              { _id: key },
              { $set: { sessionId: resumed._id, updatedAt: ctx.clock.now() } },
              { upsert: true, session },
            ).lean();
            // Any process that remembers the cart left behind as this user's must read again.
            if (before && before.sessionId !== resumed._id) {
              await CartSession.updateOne({ _id: before.sessionId }, { $inc: { version: 1 } }, { session });
            }
          });
          lastSeen.delete(key);
        }
        return presented.access;
      });
    },

    /**
     * For the `/s/<code>` page: the cart's view model, or why it cannot be shown. Counts as
     * activity; attaches nobody. Malformed codes throw UserError.
     */
    viewByCode(code: string, sender: Sender): Promise<CodeAccess> {
      return ctx.guard(async () => {
        const p = await parts();
        return (await p.access.present(code, senderKeyOf(sender))).access;
      });
    },

    /** Builds indexes and the sealing key now rather than on the first cart command. */
    async ready(): Promise<void> {
      await ctx.guard(() => parts());
    },
  };
}
