import type { Connection } from "mongoose";
import {
  bindCartPointerModel,
  bindCartSessionModel,
  type CartSessionDoc,
} from "../../../models/cart-session";
import { bindEngineSecretModel } from "../../../models/engine-secret";
import { bindSequenceModel, nextSequence } from "../../../models/sequence";
import type { Platform } from "../../kernel";
import type { EngineContext } from "../context";
import { lineViews, totalsOf } from "./lines";
import { retryingConflicts } from "./retry";
import { type IssuedSessionCode, issueSessionCode } from "./session-code";
import { createTokenSealer, sealingKey, type TokenSealer } from "./token-seal";
import type { CartView } from "./types";

/** How many unsealed codes a process keeps (the shoppers it serves at once). */
const OPENED_CODES = 10_000;

/** The counter every serial's sequence part is drawn from, shared by all processes on the database. */
export const CART_SERIAL_SEQUENCE = "cart-session-serial";

export function bindCartModels(connection: Connection) {
  return {
    CartSession: bindCartSessionModel(connection),
    CartPointer: bindCartPointerModel(connection),
    EngineSecret: bindEngineSecretModel(connection),
    Sequence: bindSequenceModel(connection),
  };
}

export type CartModels = ReturnType<typeof bindCartModels>;

/** What the cart parts share: models, the sealing key, and the session rules. */
export interface CartStore {
  ctx: EngineContext;
  models: CartModels;
  sealer: TokenSealer;
  ttlMs: number;
  /** A fresh serial and token, drawn now; nothing written yet besides the counter. */
  issueCode(now: Date): Promise<IssuedSessionCode>;
  /** Open to changes: `open` and not idle too long (a cart awaiting payment is current, but locked). */
  isLive(doc: CartSessionDoc, now: Date): boolean;
  /** The whole code of a session, or undefined when its sealed token cannot be opened (key changed). */
  codeOf(doc: CartSessionDoc): string | undefined;
  view(doc: CartSessionDoc, code: string): CartView;
  /** Marks an open session whose time ran out as expired; harmless when someone else already did. */
  markExpired(doc: CartSessionDoc, now: Date): Promise<void>;
  /** Refreshes the idle timer of a live session; false when it ended meanwhile. */
  touch(sessionId: string, now: Date): Promise<boolean>;
  newSessionDoc(owner: { platform: Platform; id: string; key: string }, now: Date): Promise<CartSessionDoc>;
}

export async function openCartStore(
  ctx: EngineContext,
  settings: { ttlMs: number; codeSecret?: string },
): Promise<CartStore> {
  const models = bindCartModels(ctx.connection);
  // Unique serial and token-hash indexes must exist before the first insert relies on them.
  await Promise.all(Object.values(models).map((model) => model.init()));
  const key = await sealingKey(models.EngineSecret, settings.codeSecret, ctx.clock.now());
  if (!settings.codeSecret) {
    ctx.log.warn(
      "cart codes are sealed with a key kept in the database; set SESSION_CODE_SECRET so a database dump reveals no usable code",
    );
  }
  const sealer = createTokenSealer(key);
  const { CartSession } = models;
  /** Codes already unsealed, by session: every reply shows the code, and a reissue changes `sealed`. */
  const opened = new Map<string, { sealed: string; code: string }>();

  const store: CartStore = {
    ctx,
    models,
    sealer,
    ttlMs: settings.ttlMs,
    async issueCode(now) {
      return issueSessionCode(now, await nextSequence(models.Sequence, CART_SERIAL_SEQUENCE));
    },
    isLive(doc, now) {
      return doc.status === "open" && doc.expiresAt.getTime() > now.getTime();
    },
    codeOf(doc) {
      const known = opened.get(doc._id);
      if (known?.sealed === doc.tokenSealed) return known.code;
      const token = sealer.open(doc.tokenSealed, doc._id);
      if (token === undefined) return undefined;
      const code = `${doc.serial}-${token}`;
      if (opened.size >= OPENED_CODES) opened.clear();
      opened.set(doc._id, { sealed: doc.tokenSealed, code });
      return code;
    },
    view(doc, code) {
      return {
        code,
        url: `${ctx.publicUrl}/s/${code}`,
        serial: doc.serial,
        status: doc.status === "open" && !store.isLive(doc, ctx.clock.now()) ? "expired" : doc.status,
        lines: lineViews(doc.lines),
        totals: totalsOf(doc.lines),
        totalQty: doc.totalQty,
        issuedAt: doc.issuedAt,
        lastActivityAt: doc.lastActivityAt,
        expiresAt: doc.expiresAt,
        ownerKey: doc.ownerKey,
        ...(doc.status === "paying" && doc.payment
          ? {
              payment: {
                url: doc.payment.checkoutUrl,
                amount: doc.payment.amount,
                currency: doc.payment.currency,
                dueBy: doc.payment.dueBy,
              },
            }
          : {}),
      };
    },
    async markExpired(doc, now) {
      await retryingConflicts(() =>
        CartSession.updateOne(
          { _id: doc._id, status: "open", expiresAt: { $lte: now } },
          { $set: { status: "expired", closedAt: now } },
        ),
      );
    },
    async touch(sessionId, now) {
      const result = await retryingConflicts(() =>
        CartSession.updateOne(
          { _id: sessionId, status: "open", expiresAt: { $gt: now } },
          { $set: { lastActivityAt: now, expiresAt: new Date(now.getTime() + settings.ttlMs) } },
        ),
      );
      return result.matchedCount === 1;
    },
    async newSessionDoc(owner, now) {
      const issued = await store.issueCode(now);
      // The first serial doubles as the id: unique (the counter), stable across reissues, no secret.
      const _id = issued.serial;
      return {
        _id,
        serial: issued.serial,
        tokenHash: issued.tokenHash,
        tokenSealed: sealer.seal(issued.token, _id),
        ownerKey: owner.key,
        owner: { platform: owner.platform, id: owner.id },
        status: "open",
        lines: [],
        totalQty: 0,
        version: 0,
        badAttempts: 0,
        badAttemptsTotal: 0,
        reissues: 0,
        issuedAt: now,
        codeIssuedAt: now,
        lastActivityAt: now,
        expiresAt: new Date(now.getTime() + settings.ttlMs),
        closedAt: null,
        orderIds: [],
        appliedEvents: [],
      };
    },
  };
  return store;
}
