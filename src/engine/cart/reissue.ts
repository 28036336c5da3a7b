import type { CartSessionDoc } from "../../../models/cart-session";
import type { OutboxWriter } from "../outbox/writer";
import { retryingConflicts } from "./retry";
import type { CartStore } from "./store";

/**
 * Erases a session's code and issues a new one (after too many improper attempts, or when the
 * owner asks). The update is conditional on
 * the code being the one judged, so of several attempts racing past the limit exactly one retires
 * it. With `notifyOwner`, the owner's DM with the new code is written in the same transaction.
 */
export function createReissue(store: CartStore, outbox: OutboxWriter) {
  const { CartSession } = store.models;
  const { ctx } = store;

  return async function reissue(doc: CartSessionDoc, reason: "suspicious" | "rekey"): Promise<boolean> {
    const now = ctx.clock.now();
    // Drawn outside the transaction: the counter must not make concurrent transactions conflict.
    const issued = await store.issueCode(now);
    const code = issued.code;
    const url = `${ctx.publicUrl}/s/${code}`;
    const done = await retryingConflicts(() =>
      ctx.tx(async (session) => {
        const result = await CartSession.updateOne(
          { _id: doc._id, serial: doc.serial, tokenHash: doc.tokenHash, status: "open" },
          {
            $set: {
              serial: issued.serial,
              tokenHash: issued.tokenHash,
              tokenSealed: store.sealer.seal(issued.token, doc._id),
              badAttempts: 0,
              codeIssuedAt: now,
            },
            $inc: { reissues: 1 },
          },
          { session },
        );
        if (result.matchedCount !== 1) return false;
        if (reason === "suspicious") {
          await outbox.dm(session, {
            id: `cart-reissue:${doc._id}:${doc.reissues + 1}`,
            to: doc.ownerKey,
            text:
              `Your cart's session code (serial ${doc.serial}) was retired after ${doc.badAttempts} suspicious attempts to open it. ` +
              `Your cart is unchanged; its new code is ${code} — ${url}`,
            buttons: [{ label: "Open cart", url }],
          });
        }
        return true;
      }),
    );
    if (done) {
      ctx.log.info({ session: doc._id, reason }, "cart session code reissued");
      if (reason === "suspicious") ctx.kickOutbox();
    }
    return done;
  };
}

export type Reissue = ReturnType<typeof createReissue>;
