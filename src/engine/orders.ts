import { randomBytes } from "node:crypto";
import {
  driverCollection,
  type OrderDoc,
  type OrderPayment,
  type ProductDoc,
  type UserDoc,
} from "../../models";
import type { EngineContext, Session } from "./context";
import { userError } from "./errors";
import type { OutboxWriter } from "./outbox/writer";
import { paymentUndo } from "./payments/undo";

export const MAX_QTY = 99;

export interface PlaceOrderInput {
  userKey: string;
  sku: string;
  qty: number;
  /** The group it is placed in (a `/join`); omit for a cart checkout. */
  groupCode?: string | null;
  /** The cart session it comes from (a checkout); omit for a `/join`. */
  sessionCode?: string | null;
  /** Chosen by the caller when it must reference the order before it exists (a group membership). */
  orderId?: string;
  /**
   * The product and the buyer's region as the caller already has them (from memory), saving the
   * two reads; omitted, both are read in `session`.
   */
  known?: { product: ProductDoc; region: string | null };
  /**
   * Leave the shipping request to the outbox's relay (it follows the committed order, many at a
   * time) instead of writing it here: one write fewer in the caller's transaction.
   */
  relayShipping?: boolean;
  /**
   * With payments on: the order waits for its money, and its shipping request is written only once
   * the money is captured (see src/engine/payments).
   */
  payment?: OrderPayment;
}

export function newOrderId(): string {
  return `ord_${randomBytes(12).toString("base64url")}`;
}

/**
 * A quantity for one order or one cart line: a whole number from 1 to MAX_QTY (digits typed as
 * text count too). Missing means `fallback` when there is one.
 */
export function checkQty(input: unknown, fallback?: number): number {
  if ((input === undefined || input === null) && fallback !== undefined) return fallback;
  const qty = typeof input === "string" && /^\s*\d{1,6}\s*$/.test(input) ? Number(input) : input;
  if (typeof qty !== "number" || !Number.isInteger(qty) || qty < 1 || qty > MAX_QTY) {
    throw userError("INVALID_QTY", { max: MAX_QTY });
  }
  return qty;
}

export type Orders = ReturnType<typeof createOrders>;

/**
 * The purchase procedure shared by `/join` and `/cart checkout`: an order at list price and its
 * signed shipping request (README "Shipping requests"), written together in the caller's transaction.
 */
export function createOrders(ctx: EngineContext, outbox: OutboxWriter) {
  const { Order, Product, User } = ctx.models;

  /** The order `input` describes, at list price. Throws UserError for an unknown or withdrawn SKU or a bad quantity. */
  async function orderOf(session: Session, input: PlaceOrderInput): Promise<OrderDoc> {
    checkQty(input.qty);
    const product =
      input.known?.product ??
      (await Product.findById(input.sku.trim().toUpperCase())
        .session(session ?? null)
        .lean<ProductDoc>());
    if (!product) {
      throw userError("UNKNOWN_PRODUCT", { sku: input.sku });
    }
    // Read here, not handed over: a cart line added while it was on sale does not outlive its
    // withdrawal. (A product handed over was already checked where it was chosen.)
    if (!input.known && product.withdrawnAt) throw userError("PRODUCT_WITHDRAWN", { sku: product.sku });
    const region = input.known
      ? input.known.region
      : ((
          await User.findById(input.userKey)
            .session(session ?? null)
            .lean<UserDoc>()
        )?.region ?? null);
    return {
      _id: input.orderId ?? newOrderId(),
      userKey: input.userKey,
      groupCode: input.groupCode ?? null,
      sessionCode: input.sessionCode ?? null,
      sku: product.sku,
      name: product.name,
      qty: input.qty,
      unitPrice: product.price,
      total: product.price * input.qty,
      currency: product.currency,
      region,
      status: "placed",
      createdAt: ctx.clock.now(),
      cancelledAt: null,
      ...(input.payment ? { payment: input.payment } : {}),
      // The relay tells the group's card of the join; with a payment it writes no request (see relay).
      ...(input.relayShipping ? { shippingQueued: false } : {}),
    };
  }

  /**
   * Places orders (one SKU, one quantity each) inside `session`, all in one write. Throws UserError
   * for an unknown SKU or a bad quantity before writing anything.
   */
  async function placeOrders(session: Session, inputs: PlaceOrderInput[]): Promise<OrderDoc[]> {
    const orders: OrderDoc[] = [];
    for (const input of inputs) orders.push(await orderOf(session, input));
    const options = session ? { session } : {};
    // Both send one insert command, but insertMany takes the driver's heavier bulk-write path.
    if (orders.length === 1) await driverCollection(Order).insertOne(orders[0]!, options);
    else await driverCollection(Order).insertMany(orders, options);
    for (const [i, order] of orders.entries()) {
      if (!inputs[i]!.relayShipping && !order.payment) await outbox.shipping(session, order, "requested");
    }
    return orders;
  }

  /**
   * A cancelled order's money goes back: an unpaid checkout is closed, a hold released, money
   * taken refunded. Only an order whose money was taken had a shipping request to cancel.
   */
  async function cancelPayment(session: Session, order: OrderDoc, payment: OrderPayment): Promise<void> {
    const call = paymentUndo(payment);
    if (call) await outbox.payment(session, { orderId: order._id, ...call });
    if (payment.state === "captured" || payment.state === "paid")
      await outbox.shipping(session, order, "cancelled");
  }

  return {
    placeOrders,

    /** One order: `placeOrders` of one. */
    async placeOrder(session: Session, input: PlaceOrderInput): Promise<OrderDoc> {
      const [order] = await placeOrders(session, [input]);
      return order!;
    },

    /** Cancels a placed order and queues the cancelled shipping request; the order as cancelled, or null if it was not `placed`. */
    async cancelOrder(session: Session, orderId: string): Promise<OrderDoc | null> {
      const now = ctx.clock.now();
      const order = await Order.findOneAndUpdate(
        { _id: orderId, status: "placed" },
        { $set: { status: "cancelled", cancelledAt: now } },
        { session, returnDocument: "after" },
      ).lean<OrderDoc>();
      if (!order) return null;
      if (order.payment) {
        await cancelPayment(session, order, order.payment);
        return order;
      }
      // The request goes before its cancellation, even when the relay has not queued it yet.
      if (order.shippingQueued === false) await outbox.shipping(session, order, "requested");
      await outbox.shipping(session, order, "cancelled");
      return order;
    },

    get(orderId: string): Promise<OrderDoc | null> {
      return ctx.guard(() => Order.findById(orderId).lean<OrderDoc>());
    },

    forGroup(groupCode: string): Promise<OrderDoc[]> {
      return ctx.guard(() => Order.find({ groupCode }).sort({ createdAt: 1 }).lean<OrderDoc[]>());
    },

    forUser(userKey: string): Promise<OrderDoc[]> {
      return ctx.guard(() => Order.find({ userKey }).sort({ createdAt: -1 }).lean<OrderDoc[]>());
    },
  };
}
