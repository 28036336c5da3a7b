import { createHash } from "node:crypto";
import { driverCollection, type OrderDoc, type OutboxDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import type { Button } from "../messenger";
import { parseUserKey } from "../users";

export interface DmInput {
  /**
   * Stable id of this message, derived from its cause (`invite:<code>:<userKey>`): writing the
   * same message twice (a retried transaction, a second instance) stores it once.
   */
  id: string;
  to: string;
  text: string;
  buttons?: Button[];
}

/** The body CONTRACT §7 fixes for a shipping request. Key order is part of the signed bytes. */
export function shippingBody(order: OrderDoc, status: "requested" | "cancelled"): string {
  return JSON.stringify({
    orderId: order._id,
    status,
    groupCode: order.groupCode,
    sku: order.sku,
    qty: order.qty,
    user: order.userKey,
    region: order.region,
    createdAt: order.createdAt.toISOString(),
  });
}

/** Outbox ids stay short and safe whatever the cause string holds. */
function messageId(prefix: string, cause: string): string {
  return `${prefix}_${createHash("sha256").update(cause).digest("base64url").slice(0, 24)}`;
}

export type OutboxWriter = ReturnType<typeof createOutboxWriter>;

/**
 * Writes messages into the outbox inside the caller's transaction. Inserts are upserts with
 * `$setOnInsert`, so an id already present is a no-op rather than an error that would abort the
 * surrounding transaction.
 */
export function createOutboxWriter(ctx: EngineContext) {
  const { OutboxMessage } = ctx.models;

  async function put(doc: OutboxDoc, session: Session): Promise<void> {
    // `_id` comes from the filter on insert; naming it in the update too is refused by some servers.
    const { _id, ...fields } = doc;
    await driverCollection(OutboxMessage).updateOne(
      { _id },
      { $setOnInsert: fields },
      { upsert: true, ...(session ? { session } : {}) },
    );
  }

  function dmDoc(input: DmInput, now: Date): OutboxDoc {
    const { platform, id } = parseUserKey(input.to);
    return {
      _id: messageId("dm", input.id),
      kind: "dm",
      platform,
      dm: { platform, userId: id, userKey: input.to, text: input.text, buttons: input.buttons ?? [] },
      shipping: null,
      status: "pending",
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    };
  }

  return {
    async dm(session: Session, input: DmInput): Promise<string> {
      const doc = dmDoc(input, ctx.clock.now());
      await put(doc, session);
      return doc._id;
    },

    /** Many DMs in one round trip (a group's invitations), each stored once like `dm`. */
    async dms(session: Session, inputs: DmInput[]): Promise<void> {
      if (inputs.length === 0) return;
      const now = ctx.clock.now();
      await driverCollection(OutboxMessage).bulkWrite(
        inputs.map((input) => {
          const { _id, ...fields } = dmDoc(input, now);
          return { updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } };
        }),
        session ? { session } : {},
      );
    },

    /** A shipping request for an executed (or cancelled) purchase, keyed so it is sent once. */
    async shipping(session: Session, order: OrderDoc, status: "requested" | "cancelled"): Promise<string> {
      const idempotencyKey = status === "requested" ? order._id : `${order._id}:cancelled`;
      const now = ctx.clock.now();
      const _id = messageId("ship", idempotencyKey);
      await put(
        {
          _id,
          kind: "shipping",
          platform: null,
          dm: null,
          shipping: { body: shippingBody(order, status), idempotencyKey, orderId: order._id },
          status: "pending",
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
        },
        session,
      );
      return _id;
    },
  };
}
