import { type Connection, type Model, Schema } from "mongoose";
import type { Button, Platform } from "../src/kernel";

/**
 * `pending` → claimed as `sending` under a lease → `sent`, or back to `pending` with back-off, or
 * `failed` for good. `held`: a shipping request kept because no fulfillment URL is configured.
 */
export type OutboxStatus = "pending" | "sending" | "sent" | "failed" | "held";

export interface OutboxDm {
  platform: Platform;
  userId: string;
  userKey: string;
  text: string;
  buttons: Button[];
}

export interface OutboxShipping {
  /** The exact bytes POSTed and signed, fixed at write time so every retry is identical. */
  body: string;
  idempotencyKey: string;
  orderId: string;
}

/**
 * A call to the payment provider that a state change requires (a capture at completion, a release
 * at failure), written with that change so it is made even if the process dies right after.
 */
export interface OutboxPayment {
  orderId: string;
  action: "checkout" | "capture" | "release" | "refund" | "expire";
  /** Minor units to capture or refund. */
  amount: number;
  /**
   * For a cart's checkout (`orderId` is then its `cart_…` id): the checkout to close and the
   * payment to refund, carried here because the cart may have moved on to another checkout.
   */
  checkoutId?: string | null;
  paymentId?: string | null;
}

/** A group's status card as it should now stand; `revision` tells a newer state from the one being sent. */
export interface OutboxCard {
  groupCode: string;
  channelId: string;
  text: string;
  buttons: Button[];
}

/** One message to deliver: a DM, a group's status card or a shipping request, written with the state change that caused it. */
export interface OutboxDoc {
  /** Stable id, derived from the cause where one exists, so writing it twice is a duplicate key. */
  _id: string;
  kind: "dm" | "card" | "shipping" | "payment";
  /** For DMs and cards: the platform whose Messenger delivers it (the worker claims only what it can send). */
  platform: Platform | null;
  dm?: OutboxDm | null;
  shipping?: OutboxShipping | null;
  payment?: OutboxPayment | null;
  /**
   * One document per group (`card_<code>`): each change of the group replaces its content and
   * counts `revision` up, so a burst of changes leaves one pending edit with the last state.
   */
  card?: OutboxCard | null;
  revision?: number;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner?: string | null;
  leaseUntil?: Date | null;
  lastError?: string | null;
  createdAt: Date;
  sentAt?: Date | null;
}

const buttonSchema = new Schema<Button>({ label: String, url: String, command: String }, { _id: false });

export const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true, enum: ["dm", "card", "shipping", "payment"] },
    platform: { type: String, default: null },
    dm: {
      type: new Schema<OutboxDm>(
        {
          platform: String,
          userId: String,
          userKey: String,
          text: String,
          buttons: { type: [buttonSchema], default: [] },
        },
        { _id: false },
      ),
      default: null,
    },
    shipping: {
      type: new Schema<OutboxShipping>(
        { body: String, idempotencyKey: String, orderId: String },
        { _id: false },
      ),
      default: null,
    },
    payment: {
      type: new Schema<OutboxPayment>(
        { orderId: String, action: String, amount: Number, checkoutId: String, paymentId: String },
        { _id: false },
      ),
      default: null,
    },
    card: {
      type: new Schema<OutboxCard>(
        {
          groupCode: String,
          channelId: String,
          text: String,
          buttons: { type: [buttonSchema], default: [] },
        },
        { _id: false },
      ),
      default: null,
    },
    revision: { type: Number, default: 0 },
    status: { type: String, required: true, enum: ["pending", "sending", "sent", "failed", "held"] },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
  },
  { collection: "outbox", versionKey: false },
);
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
outboxSchema.index({ status: 1, leaseUntil: 1 });
// The retention sweep: delivered messages by delivery time.
outboxSchema.index({ status: 1, sentAt: 1 });

export type OutboxModel = Model<OutboxDoc>;

export function bindOutboxModel(connection: Connection): OutboxModel {
  return (
    (connection.models.OutboxMessage as OutboxModel | undefined) ??
    connection.model<OutboxDoc>("OutboxMessage", outboxSchema)
  );
}
