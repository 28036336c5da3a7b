import { createHash } from "node:crypto";
import { driverCollection, type OrderDoc, type OutboxDoc, type OutboxPayment } from "../../../models";
import type { Button, Platform } from "../../kernel";
import type { ShippingRequest } from "../../storefront/port";
import type { EngineContext, Session } from "../context";
import { isDuplicateKey, upsertRacing } from "../unavailable";
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

/** What a shipping request tells the shop. Key order is part of the signed bytes. */
export function shippingRequest(order: OrderDoc, status: ShippingRequest["status"]): ShippingRequest {
  return {
    orderId: order._id,
    status,
    groupCode: order.groupCode,
    sku: order.sku,
    qty: order.qty,
    user: order.userKey,
    region: order.region,
    createdAt: order.createdAt.toISOString(),
  };
}

/** The signed body of a shipping request. */
export function shippingBody(order: OrderDoc, status: "requested" | "cancelled"): string {
  return JSON.stringify(shippingRequest(order, status));
}

/** Outbox ids stay short and safe whatever the cause string holds. */
function messageId(prefix: string, cause: string): string {
  return `${prefix}_${createHash("sha256").update(cause).digest("base64url").slice(0, 24)}`;
}

/** The outbox id of an order's shipping request. */
export function shippingRequestId(orderId: string): string {
  return messageId("ship", orderId);
}

/** An order's shipping request (or its cancellation): its id comes from the order, so it is stored once. */
function shippingDoc(order: OrderDoc, status: "requested" | "cancelled", now: Date): OutboxDoc {
  const idempotencyKey = status === "requested" ? order._id : `${order._id}:cancelled`;
  return {
    _id: messageId("ship", idempotencyKey),
    kind: "shipping",
    platform: null,
    dm: null,
    shipping: { body: shippingBody(order, status), idempotencyKey, orderId: order._id },
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  };
}

/** The outbox id of a payment call for an order. */
export function paymentMessageId(orderId: string, action: OutboxPayment["action"]): string {
  return messageId("pay", `${orderId}:${action}`);
}

/** A group's status card as it should now stand (see OutboxDoc.card). */
export interface CardInput {
  groupCode: string;
  platform: Platform;
  channelId: string;
  text: string;
  buttons: Button[];
}

/** The outbox id of a group's card: one per group, so a newer state replaces a pending one. */
export function cardMessageId(groupCode: string): string {
  return messageId("card", groupCode);
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

  /** `put` for many messages in one round trip. */
  async function putMany(docs: OutboxDoc[], session: Session): Promise<void> {
    if (docs.length === 0) return;
    const write = () =>
      driverCollection(OutboxMessage).bulkWrite(
        docs.map(({ _id, ...fields }) => ({
          updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true },
        })),
        session ? { session } : { ordered: false },
      );
    // Outside a transaction two writers (two instances relaying the same orders) can race to
    // insert one message; inside one, the transaction is what retries.
    await (session ? write() : upsertRacing(write));
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

  function cardDoc(input: CardInput, now: Date): OutboxDoc {
    const { groupCode, channelId, text, buttons } = input;
    return {
      _id: cardMessageId(groupCode),
      kind: "card",
      platform: input.platform,
      dm: null,
      shipping: null,
      card: { groupCode, channelId, text, buttons },
      revision: 1,
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

    /**
     * Many DMs in one round trip (a group's invitations), each stored once like `dm`; with the
     * first card of the group they invite to, when it has one.
     */
    dms(session: Session, inputs: DmInput[], firstCard?: CardInput): Promise<void> {
      const now = ctx.clock.now();
      return putMany(
        [...inputs.map((input) => dmDoc(input, now)), ...(firstCard ? [cardDoc(firstCard, now)] : [])],
        session,
      );
    },

    /**
     * The group's card as it now stands. A card waiting or being sent gets the new content and a
     * new revision (the worker sends the newest, and once more if it changed meanwhile); a card
     * delivered before (or given up) is due again, no sooner than the worker's edit interval.
     */
    async card(session: Session, input: CardInput): Promise<void> {
      const _id = cardMessageId(input.groupCode);
      const card = {
        groupCode: input.groupCode,
        channelId: input.channelId,
        text: input.text,
        buttons: input.buttons,
      };
      const options = session ? { session } : {};
      const outbox = driverCollection(OutboxMessage);
      for (let attempt = 0; ; attempt++) {
        const waiting = await outbox.updateOne(
          { _id, status: { $in: ["pending", "sending"] } },
          { $set: { card }, $inc: { revision: 1 } },
          options,
        );
        if (waiting.matchedCount === 1) return;
        const now = ctx.clock.now();
        try {
          await outbox.updateOne(
            { _id, status: { $nin: ["pending", "sending"] } },
            {
              // `sentAt` stays: the worker spaces this edit from the last one.
              $set: { card, status: "pending", nextAttemptAt: now, attempts: 0, lastError: null },
              $inc: { revision: 1 },
              $setOnInsert: {
                kind: "card",
                platform: input.platform,
                dm: null,
                shipping: null,
                createdAt: now,
              },
            },
            { upsert: true, ...options },
          );
          return;
        } catch (error) {
          // Outside a transaction another writer made the card pending meanwhile, which makes the
          // upsert a duplicate: the first update then takes it.
          if (session || !isDuplicateKey(error) || attempt >= 2) throw error;
        }
      }
    },

    /**
     * A payment provider call a state change requires, keyed `<orderId>:<action>` like the call
     * itself, so it is stored (and made) once.
     */
    async payment(session: Session, input: OutboxPayment, notBefore?: Date): Promise<void> {
      const now = ctx.clock.now();
      await put(
        {
          _id: paymentMessageId(input.orderId, input.action),
          kind: "payment",
          platform: null,
          dm: null,
          shipping: null,
          payment: input,
          status: "pending",
          attempts: 0,
          nextAttemptAt: notBefore ?? now,
          createdAt: now,
        },
        session,
      );
    },

    /** A shipping request for an executed (or cancelled) purchase, keyed so it is sent once. */
    async shipping(session: Session, order: OrderDoc, status: "requested" | "cancelled"): Promise<string> {
      const doc = shippingDoc(order, status, ctx.clock.now());
      await put(doc, session);
      return doc._id;
    },

    /**
     * The requests of many placed orders in one round trip (the relay), each stored once like
     * `shipping`; `held` stores them as kept for a fulfillment URL still to be configured.
     */
    shippingRequests(orders: OrderDoc[], held = false): Promise<void> {
      const now = ctx.clock.now();
      return putMany(
        orders.map((order) => ({
          ...shippingDoc(order, "requested", now),
          ...(held ? { status: "held" as const } : {}),
        })),
        undefined,
      );
    },
  };
}
