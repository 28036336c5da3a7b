import { type Connection, type Model, Schema } from "mongoose";

export type OrderStatus = "placed" | "cancelled";

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
  },
  { collection: "orders", versionKey: false },
);
orderSchema.index({ groupCode: 1 });
orderSchema.index({ userKey: 1, createdAt: -1 });
// The outbox relay's query: orders whose shipping request is still to be queued.
orderSchema.index({ shippingQueued: 1 });

export type OrderModel = Model<OrderDoc>;

export function bindOrderModel(connection: Connection): OrderModel {
  return (
    (connection.models.Order as OrderModel | undefined) ?? connection.model<OrderDoc>("Order", orderSchema)
  );
}
