import { type Connection, type Model, Schema } from "mongoose";
import type { Platform } from "../src/kernel";

/** `paying`: with payments on, checked out and locked until its checkout is paid or its window ends. */
export type CartSessionStatus = "open" | "paying" | "checked_out" | "expired";

/**
 * With payments on, the cart's checkout: one for all its lines, paid at once. `awaiting` while the
 * cart is locked; `paid` once the money arrived (the cart is then checked out); `expired` when
 * the window ended unpaid and the cart opened again.
 */
export interface CartPayment {
  /** `cart_…`: names the checkout to the provider and prefixes every Idempotency-Key for it. */
  id: string;
  state: "awaiting" | "paid" | "expired";
  /** Who checked out: their orders, their DMs. */
  buyerKey: string;
  /** End of the payment window. */
  dueBy: Date;
  /** What is asked: the lines' total, in their one currency. */
  amount: number;
  currency: string;
  checkoutId: string | null;
  checkoutUrl: string | null;
  paymentId: string | null;
}

/** One line of a cart: a catalog SKU, its quantity, and the product as it was when last added. */
export interface CartLine {
  /** Upper-cased SKU, the catalog's `_id`. */
  productId: string;
  sku: string;
  name: string;
  qty: number;
  unitPrice: number;
  currency: string;
}

/**
 * A cart session (README "Cart sessions"). `serial` is kept in the clear as the lookup key; the token as its
 * SHA-256 (`tokenHash`, looked up and compared) and sealed under a key kept outside the database
 * (`tokenSealed`, so replies can show the code again). A dump opens no cart. A reissue replaces all three.
 */
export interface CartSessionDoc {
  /** The serial the session was first issued with: stable across reissues. */
  _id: string;
  serial: string;
  tokenHash: string;
  /** The token sealed under a key kept outside the database (src/engine/cart/token-seal.ts). */
  tokenSealed: string;
  /** The user who started it (user key), and where to DM them a reissued code. */
  ownerKey: string;
  owner: { platform: Platform; id: string };
  status: CartSessionStatus;
  lines: CartLine[];
  /** Sum of line quantities, kept with the lines so the per-cart cap is one comparison. */
  totalQty: number;
  /** Optimistic concurrency: every change to `lines` is conditional on the version read. */
  version: number;
  /** Improper accesses since the current code was issued (reset by a reissue). */
  badAttempts: number;
  /** Improper accesses over the session's life, across reissues. */
  badAttemptsTotal: number;
  reissues: number;
  issuedAt: Date;
  /** When the current code was issued (differs from `issuedAt` after a reissue). */
  codeIssuedAt: Date;
  lastActivityAt: Date;
  expiresAt: Date;
  closedAt?: Date | null;
  orderIds: string[];
  /**
   * The last chat events (`platform:eventId`) that changed the lines: a retried `/cart add` whose
   * first run's reply was lost is recognised here and not applied twice.
   */
  appliedEvents?: string[];
  /** With payments on, from the first `/cart checkout` on. */
  payment?: CartPayment | null;
}

const lineSchema = new Schema<CartLine>(
  {
    productId: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    qty: { type: Number, required: true },
    unitPrice: { type: Number, required: true },
    currency: { type: String, required: true },
  },
  { _id: false },
);

export const cartSessionSchema = new Schema<CartSessionDoc>(
  {
    _id: { type: String, required: true },
    serial: { type: String, required: true },
    tokenHash: { type: String, required: true },
    tokenSealed: { type: String, required: true },
    ownerKey: { type: String, required: true },
    owner: {
      type: new Schema({ platform: String, id: String }, { _id: false }),
      required: true,
    },
    status: { type: String, required: true, enum: ["open", "paying", "checked_out", "expired"] },
    lines: { type: [lineSchema], default: [] },
    totalQty: { type: Number, required: true, default: 0 },
    version: { type: Number, required: true, default: 0 },
    badAttempts: { type: Number, required: true, default: 0 },
    badAttemptsTotal: { type: Number, required: true, default: 0 },
    reissues: { type: Number, required: true, default: 0 },
    issuedAt: { type: Date, required: true },
    codeIssuedAt: { type: Date, required: true },
    lastActivityAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    orderIds: { type: [String], default: [] },
    appliedEvents: { type: [String], default: [] },
    payment: {
      type: new Schema<CartPayment>(
        {
          id: { type: String, required: true },
          state: { type: String, required: true },
          buyerKey: { type: String, required: true },
          dueBy: { type: Date, required: true },
          amount: { type: Number, required: true },
          currency: { type: String, required: true },
          checkoutId: { type: String, default: null },
          checkoutUrl: { type: String, default: null },
          paymentId: { type: String, default: null },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { collection: "cart_sessions", versionKey: false },
);
cartSessionSchema.index({ serial: 1 }, { unique: true });
cartSessionSchema.index({ tokenHash: 1 }, { unique: true });
cartSessionSchema.index({ ownerKey: 1, status: 1 });
// The payment window's sweep and start-up reconciliation; the cart a report or the demo page names.
cartSessionSchema.index({ status: 1, "payment.dueBy": 1 });
cartSessionSchema.index({ "payment.id": 1 });
cartSessionSchema.index({ "payment.checkoutId": 1 });

export type CartSessionModel = Model<CartSessionDoc>;

export function bindCartSessionModel(connection: Connection): CartSessionModel {
  return (
    (connection.models.CartSession as CartSessionModel | undefined) ??
    connection.model<CartSessionDoc>("CartSession", cartSessionSchema)
  );
}

/**
 * Which cart a user is working in: their own, or one they resumed by code from another device or
 * platform. One document per user key, swapped by compare-and-set, so two first accesses racing
 * on two devices end up in one cart.
 */
export interface CartPointerDoc {
  /** The user key. */
  _id: string;
  sessionId: string;
  updatedAt: Date;
}

export const cartPointerSchema = new Schema<CartPointerDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: "cart_pointers", versionKey: false },
);

export type CartPointerModel = Model<CartPointerDoc>;

export function bindCartPointerModel(connection: Connection): CartPointerModel {
  return (
    (connection.models.CartPointer as CartPointerModel | undefined) ??
    connection.model<CartPointerDoc>("CartPointer", cartPointerSchema)
  );
}
