import { type UserIdentity, userKey } from "../../kernel";
import type { EngineContext } from "../context";
import type { CartParts } from "./parts";
import type { CodeAccess } from "./types";

/**
 * `/cart resume <code>`: opens a cart by its code from any device or platform; on success the
 * caller works in that cart from now on. Malformed codes throw UserError.
 */
export function createResume(
  ctx: EngineContext,
  deps: { parts: () => Promise<CartParts>; forget: (key: string) => void },
) {
  return async function resume(user: UserIdentity, code: string): Promise<CodeAccess> {
    const p = await deps.parts();
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
      deps.forget(key);
    }
    return presented.access;
  };
}
