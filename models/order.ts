import { type Connection, type Model, Schema } from "mongoose";

export type OrderStatus = "placed" | "cancelled";

/**
 * Where an order's money stands when payments are on (PAYMENTS=stripe or demo):
 * `awaiting` a checkout → `authorized` (a hold) → `captured` at completion, or `released`;
 * `paid` at once (a cart); `refunded` when cancelled after the money was taken; `expired` when the
 * payment window ended unpaid.
 */
export type PaymentState =
  | "awaiting"
  | "authorized"
  | "captured"
  | "paid"
  | "released"
  | "refunded"
  | "expired";

export interface OrderPayment {
  state: PaymentState;
  /** `manual`: a hold, captured when the group completes; `automatic`: paid at checkout (a cart). */
  capture: "manual" | "automatic";
  /** End of the payment window: an order still awaiting then gives its place back. */
  dueBy: Date;
  checkoutId: string | null;
  checkoutUrl: string | null;
  /** The provider's payment (Stripe's PaymentIntent) once authorized. */
  paymentId: string | null;
  /** Minor units held (authorized), charged (captured or paid) and saved (the discount never charged). */
  held: number;
  charged: number;
  saved: number;
}

/** One executed purchase: one SKU, one quantity, one shipping request (README "Shipping requests"). */
export interface OrderDoc {
  _id: string;
  userKey: string;
  /** The group it was placed in; null for a cart checkout. */
  groupCode: string | null;
  /** The cart session it came from; null for a `/join`. */
  sessionCode: string | null;
  sku: string;
  name: string;
  qty: number;
  unitPrice: number;
  total: number;
  currency: string;
  /** The user's shipping region when the order was placed. */
  region: string | null;
  status: OrderStatus;
  createdAt: Date;
  cancelledAt?: Date | null;
  /**
   * False from the order's write until its shipping request is in the outbox: the order is written
   * alone (one write fewer in the join's transaction) and the outbox relays it, many at a time.
   * Absent on orders whose request was written beside them.
   */
  shippingQueued?: boolean;
  /** Absent when payments are off: the shop bills separately. */
  payment?: OrderPayment | null;
}

export const orderSchema = new Schema<OrderDoc>(
  {
    _id: { type: String, required: true },
    userKey: { type: String, required: true },
    groupCode: { type: String, default: null },
    sessionCode: { type: String, default: null },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    qty: { type: Number, required: true },
    unitPrice: { type: Number, required: true },
    total: { type: Number, required: true },
    currency: { type: String, required: true },
    region: { type: String, default: null },
    status: { type: String, required: true, enum: ["placed", "cancelled"] },
    createdAt: { type: Date, required: true },
    cancelledAt: { type: Date, default: null },
    shippingQueued: { type: Boolean },
    payment: {
      type: new Schema<OrderPayment>(
        {
          state: { type: String, required: true },
          capture: { type: String, required: true },
          dueBy: { type: Date, required: true },
          checkoutId: { type: String, default: null },
          checkoutUrl: { type: String, default: null },
          paymentId: { type: String, default: null },
          held: { type: Number, default: 0 },
          charged: { type: Number, default: 0 },
          saved: { type: Number, default: 0 },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { collection: "orders", versionKey: false },
);
orderSchema.index({ groupCode: 1 });
orderSchema.index({ userKey: 1, createdAt: -1 });
// The outbox relay's query: orders whose shipping request is still to be queued.
orderSchema.index({ shippingQueued: 1 });
// The payment window's sweep (orders still awaiting payment past their due time) and start-up reconciliation.
orderSchema.index({ "payment.state": 1, "payment.dueBy": 1 });
// The demo checkout page finds its order by the checkout's id.
orderSchema.index({ "payment.checkoutId": 1 });

export type OrderModel = Model<OrderDoc>;

export function bindOrderModel(connection: Connection): OrderModel {
  return (
    (connection.models.Order as OrderModel | undefined) ?? connection.model<OrderDoc>("Order", orderSchema)
  );
}
