import type { CartSessionDoc } from "../../../models/cart-session";
import { type UserIdentity, userKey } from "../../kernel";
import type { EngineContext } from "../context";
import type { CartParts } from "./parts";
import type { CartView, CurrentCart } from "./types";

/** The caller's current session, and whether this call issued it or replaced an ended one. */
export interface FoundCart {
  doc: CartSessionDoc;
  issued: boolean;
  replaced?: "expired" | "checked_out";
}

/**
 * The caller's current cart: the one their pointer names while it is live, else (with `create`)
 * a new session. The pointer is swapped by compare-and-set, so two devices racing on a first
 * access share one cart; the loser's fresh session is discarded before anyone saw it.
 */
export async function findCurrentCart(
  ctx: EngineContext,
  p: CartParts,
  user: UserIdentity,
  create: boolean,
): Promise<FoundCart | undefined> {
  const { CartSession, CartPointer } = p.store.models;
  const key = userKey(user);
  for (let round = 0; round < 10; round++) {
    const now = ctx.clock.now();
    const pointer = await CartPointer.findById(key).lean();
    let replaced: "expired" | "checked_out" | undefined;
    if (pointer) {
      const doc = await CartSession.findById(pointer.sessionId).lean();
      // A cart awaiting payment stays the caller's until it is paid or opens again.
      if (doc && (p.store.isLive(doc, now) || doc.status === "paying")) return { doc, issued: false };
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

/** The view of a session, rekeying it first if its sealed token no longer opens (key changed). */
export async function viewOf(p: CartParts, doc: CartSessionDoc): Promise<CartView> {
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

/** The caller's cart as a reply shows it: `doc` (by default the one found) and how it was found. */
export async function currentView(
  p: CartParts,
  found: FoundCart,
  doc: CartSessionDoc = found.doc,
): Promise<CurrentCart> {
  const view = await viewOf(p, doc);
  return { ...view, issued: found.issued, ...(found.replaced ? { replaced: found.replaced } : {}) };
}
