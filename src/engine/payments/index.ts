import type { GroupDoc, OrderDoc, OrderPayment, OutboxDoc, PaymentEventDoc } from "../../../models";
import type { CartPayment } from "../../../models/cart-session";
import { type PaymentProvider, PaymentRefused, type PaymentReport } from "../../payments/port";
import type { EngineContext, Session } from "../context";
import type { DeliveryResult } from "../messenger";
import type { Orders } from "../orders";
import type { OutboxWriter } from "../outbox";
import { createCartPayments, isCartCheckoutId } from "./cart";
import { payLinkText, placeGivenBackDm } from "./messages";

export { paymentUndo } from "./undo";

export interface PaymentDeps {
  provider: PaymentProvider;
  /** PAYMENT_WINDOW: how long a place is held for an unpaid order. */
  windowMs: number;
  orders: Orders;
  outbox: OutboxWriter;
  /** What a group does when a member's money is in place, or their unpaid place is given back. */
  places: {
    taken(session: Session, order: OrderDoc): Promise<GroupDoc | null>;
    givenBack(session: Session, order: OrderDoc): Promise<GroupDoc | null>;
  };
  /** The member's personal page, where the checkout sends them back. */
  returnUrl(order: OrderDoc): Promise<string>;
  /** SESSION_TTL: how long a cart opened again after an unpaid checkout lives without activity. */
  cartTtlMs: number;
}

/** How long the outbox leaves a new order's checkout to the command's own reply. */
const CHECKOUT_GRACE_MS = 60_000;

/** Orders still at the checkout whose window ended, given back per pass. */
const SWEEP_BATCH = 100;

/**
 * The engine's side of payments: a checkout for each order that needs one, the provider's reports
 * applied once each (by event id) in one transaction with the state they change, and the provider
 * calls those changes require delivered by the outbox. Nothing here runs with PAYMENTS=none.
 */
export function createPayments(ctx: EngineContext, deps: PaymentDeps) {
  const { Order, PaymentEvent } = ctx.models;
  const { provider } = deps;
  const carts = createCartPayments(ctx, {
    provider,
    windowMs: deps.windowMs,
    cartTtlMs: deps.cartTtlMs,
    orders: deps.orders,
    outbox: deps.outbox,
    returnUrl: `${ctx.publicUrl}/`,
  });

  /** The payment an order starts with: awaiting its checkout until the window ends. */
  function awaiting(capture: OrderPayment["capture"]): OrderPayment {
    return {
      state: "awaiting",
      capture,
      dueBy: new Date(ctx.clock.now().getTime() + deps.windowMs),
      checkoutId: null,
      checkoutUrl: null,
      paymentId: null,
      held: 0,
      charged: 0,
      saved: 0,
    };
  }

  /**
   * Opens the order's checkout (keyed by the order, so asking twice gives the same one) and records
   * it; true when this call recorded it (not an earlier one).
   */
  async function openCheckout(
    order: OrderDoc,
    payment: OrderPayment,
  ): Promise<{ url: string; recorded: boolean }> {
    const checkout = await provider.openCheckout({
      payFor: { orderId: order._id },
      lines: [{ description: `${order.name} (${order.sku})`, unitAmount: order.unitPrice, qty: order.qty }],
      amount: order.total,
      currency: order.currency,
      capture: payment.capture,
      expiresAt: payment.dueBy,
      windowMs: deps.windowMs,
      returnUrl: await deps.returnUrl(order),
    });
    const recorded = await Order.updateOne(
      { _id: order._id, "payment.checkoutId": null },
      { $set: { "payment.checkoutId": checkout.id, "payment.checkoutUrl": checkout.url } },
    );
    if (recorded.modifiedCount === 1) return { url: checkout.url, recorded: true };
    // Another caller recorded one first: theirs is the order's checkout.
    const current = await Order.findById(order._id, { payment: 1 }).lean<OrderDoc>();
    return { url: current?.payment?.checkoutUrl ?? checkout.url, recorded: false };
  }

  /**
   * What a report changes on its order, inside the caller's transaction. Money that arrives for
   * an order that no longer wants it (cancelled, its window over) goes back.
   */
  async function applyTo(
    session: Session,
    order: OrderDoc,
    report: PaymentReport,
  ): Promise<PaymentEventDoc["outcome"]> {
    const payment = order.payment!;
    if (report.kind === "expired") {
      if (order.status !== "placed" || payment.state !== "awaiting") return "ignored";
      await giveBack(session, order);
      return "applied";
    }
    if (report.amount !== order.total || report.currency !== order.currency) {
      ctx.log.error(
        { orderId: order._id, eventId: report.eventId, amount: report.amount, currency: report.currency },
        "payment refused: its amount or currency does not match the order",
      );
      if (report.paymentId) await unwanted(session, order, report);
      return "refused";
    }
    const state = report.kind === "authorized" ? "authorized" : "paid";
    const taken = await Order.findOneAndUpdate(
      { _id: order._id, status: "placed", "payment.state": "awaiting" },
      {
        $set: {
          "payment.state": state,
          "payment.paymentId": report.paymentId,
          "payment.held": report.kind === "authorized" ? report.amount : 0,
          "payment.charged": report.kind === "paid" ? report.amount : 0,
        },
      },
      { session, returnDocument: "after" },
    ).lean<OrderDoc>();
    if (!taken) {
      if (payment.paymentId === report.paymentId) return "ignored";
      await unwanted(session, order, report);
      return "applied";
    }
    if (taken.groupCode) {
      // The group closed without this place (a rare race): the hold is not needed.
      if (!(await deps.places.taken(session, taken))) await unwanted(session, taken, report);
    }
    // A cart paid at once: its shipping request goes now.
    else await deps.outbox.shipping(session, taken, "requested");
    return "applied";
  }

  /** A report for an order: what it changes, or nothing when no order has its id. */
  async function applyToOrder(session: Session, report: PaymentReport): Promise<PaymentEventDoc["outcome"]> {
    const order = await Order.findById(report.orderId)
      .session(session ?? null)
      .lean<OrderDoc>();
    if (order?.payment) return applyTo(session, order, report);
    ctx.log.warn({ eventId: report.eventId, orderId: report.orderId }, "payment report for no order we know");
    return "ignored";
  }

  /** Money for an order that no longer wants it: the hold released, a payment refunded. */
  async function unwanted(session: Session, order: OrderDoc, report: PaymentReport): Promise<void> {
    await Order.updateOne(
      { _id: order._id, "payment.paymentId": null },
      { $set: { "payment.paymentId": report.paymentId } },
      { session },
    );
    const action = report.kind === "paid" ? "refund" : "release";
    await deps.outbox.payment(session, { orderId: order._id, action, amount: report.amount });
  }

  /** An unpaid order's place goes back to the group; its checkout is closed and the member told. */
  async function giveBack(session: Session, order: OrderDoc): Promise<void> {
    await deps.orders.cancelOrder(session, order._id);
    await Order.updateOne({ _id: order._id }, { $set: { "payment.state": "expired" } }, { session });
    if (order.groupCode) {
      await deps.places.givenBack(session, order);
      await deps.outbox.dm(session, {
        id: `unpaid:${order._id}`,
        to: order.userKey,
        text: placeGivenBackDm(order),
      });
    }
  }

  /** The provider call an outbox message asks for; then its outcome on the order. */
  async function call(message: NonNullable<OutboxDoc["payment"]>): Promise<void> {
    if (isCartCheckoutId(message.orderId)) return carts.call(message);
    const order = await Order.findById(message.orderId).lean<OrderDoc>();
    const payment = order?.payment;
    if (!order || !payment) return;
    const { orderId, amount } = message;
    switch (message.action) {
      case "checkout": {
        // The join's reply usually carried the link; when it could not, it goes by DM.
        if (order.status !== "placed" || payment.state !== "awaiting" || payment.checkoutId) return;
        const { url, recorded } = await openCheckout(order, payment);
        if (recorded) {
          await deps.outbox.dm(undefined, {
            id: `pay-link:${orderId}`,
            to: order.userKey,
            text: payLinkText(order, url, deps.windowMs),
          });
        }
        return;
      }
      case "expire":
        if (payment.checkoutId) await provider.expireCheckout(orderId, payment.checkoutId);
        return;
      case "capture":
        // Cancelled since its group completed (an organiser's cancel): not charged; its release follows.
        if (order.status !== "placed" || payment.state !== "authorized") return;
        await provider.capture(orderId, requirePayment(payment), amount);
        await ctx.tx(async (session) => {
          const captured = await Order.findOneAndUpdate(
            { _id: orderId, "payment.state": "authorized" },
            {
              $set: {
                "payment.state": "captured",
                "payment.charged": amount,
                "payment.saved": payment.held - amount,
              },
            },
            { session, returnDocument: "after" },
          ).lean<OrderDoc>();
          if (!captured) return;
          // The money is taken: only now does the order's shipping request go out — unless the
          // order was cancelled while the capture ran, and then the money goes back.
          if (captured.status === "placed") await deps.outbox.shipping(session, captured, "requested");
          else await deps.outbox.payment(session, { orderId, action: "refund", amount });
        });
        return;
      case "release":
        // Captured after all (a cancel that raced the capture): the refund queued then gives it back.
        if (payment.state === "captured" || payment.state === "refunded") return;
        await provider.release(orderId, requirePayment(payment));
        await Order.updateOne(
          { _id: orderId, "payment.state": "authorized" },
          { $set: { "payment.state": "released" } },
        );
        return;
      case "refund":
        await provider.refund(orderId, requirePayment(payment), amount);
        await Order.updateOne(
          { _id: orderId, "payment.state": { $in: ["captured", "paid"] } },
          { $set: { "payment.state": "refunded" } },
        );
        return;
    }
  }

  return {
    /** False with PAYMENTS=none: orders are placed as before, and none of this runs. */
    on: provider.takesMoney,
    provider,
    windowMs: deps.windowMs,
    awaiting,
    /** A cart's one checkout for all its lines (see ./cart.ts). */
    carts,

    /**
     * Each new order's checkout, queued with the order: the command's reply opens it at once, and
     * the outbox opens it (and DMs the link) only when that did not happen, after a grace period;
     * `now` when no reply will (a sibling group's members).
     */
    async queueCheckouts(
      session: Session,
      orders: OrderDoc[],
      options: { now?: boolean } = {},
    ): Promise<void> {
      const later = new Date(ctx.clock.now().getTime() + (options.now ? 0 : CHECKOUT_GRACE_MS));
      for (const order of orders) {
        await deps.outbox.payment(
          session,
          { orderId: order._id, action: "checkout", amount: order.total },
          later,
        );
      }
    },

    /** A cart's checkout, queued with its lock: opened by the outbox (and the link DMed) only when the reply did not. */
    async queueCartCheckout(session: Session, payment: CartPayment): Promise<void> {
      const later = new Date(ctx.clock.now().getTime() + CHECKOUT_GRACE_MS);
      await deps.outbox.payment(
        session,
        { orderId: payment.id, action: "checkout", amount: payment.amount },
        later,
      );
    },

    /**
     * The checkout link for an order just placed (its reply carries it). Null when the provider
     * could not be reached: the outbox makes the checkout and DMs the link instead.
     */
    async checkoutLink(order: OrderDoc): Promise<string | null> {
      if (!order.payment) return null;
      try {
        return (await openCheckout(order, order.payment)).url;
      } catch (error) {
        ctx.log.warn(
          { err: error, orderId: order._id },
          "checkout not opened now; the outbox will DM the link",
        );
        return null;
      }
    },

    /**
     * A provider's report, applied once: a second delivery of the same event (or one that lost a
     * race with it) changes nothing. Returns what it did.
     */
    apply(report: PaymentReport): Promise<PaymentEventDoc["outcome"] | "duplicate"> {
      return ctx.guard(async () => {
        const outcome = await ctx.tx(async (session) => {
          const seen = await PaymentEvent.exists({ _id: report.eventId }).session(session ?? null);
          if (seen) return "duplicate" as const;
          const outcome = report.cartCheckoutId
            ? await carts.applyTo(session, report)
            : await applyToOrder(session, report);
          await PaymentEvent.updateOne(
            { _id: report.eventId },
            {
              $setOnInsert: {
                orderId: report.orderId ?? report.cartCheckoutId,
                kind: report.kind,
                outcome,
                at: ctx.clock.now(),
              },
            },
            { upsert: true, session },
          );
          return outcome;
        });
        if (outcome !== "duplicate") ctx.kickOutbox();
        return outcome;
      });
    },

    /** Delivers one outbox payment message: the provider call, then its outcome on the order. */
    async deliver(doc: OutboxDoc): Promise<DeliveryResult> {
      if (!doc.payment) return { ok: false, retryable: false, reason: "payment message without its call" };
      try {
        await call(doc.payment);
        return { ok: true };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (error instanceof PaymentRefused) {
          ctx.log.error(
            { orderId: doc.payment.orderId, action: doc.payment.action, code: error.code },
            "payment call refused",
          );
          return { ok: false, retryable: false, reason: `${error.code}: ${reason}` };
        }
        return { ok: false, retryable: true, reason };
      }
    },

    /** The order a checkout was opened for (the demo's page), or null. */
    orderOfCheckout(checkoutId: string): Promise<OrderDoc | null> {
      return ctx.guard(() => Order.findOne({ "payment.checkoutId": checkoutId }).lean<OrderDoc>());
    },

    /** Gives back the places of orders, and opens again the carts, whose payment window ended unpaid; returns how many. */
    async sweep(): Promise<number> {
      if (!provider.takesMoney) return 0;
      const due = await Order.find({
        "payment.state": "awaiting",
        "payment.dueBy": { $lte: ctx.clock.now() },
        status: "placed",
      })
        .limit(SWEEP_BATCH)
        .lean<OrderDoc[]>();
      for (const order of due) {
        await ctx.tx(async (session) => {
          // Paid in the meantime: the report got there first.
          const still = await Order.exists({
            _id: order._id,
            status: "placed",
            "payment.state": "awaiting",
          }).session(session ?? null);
          if (still) await giveBack(session, order);
        });
      }
      const reopened = await carts.sweep();
      if (due.length + reopened > 0) ctx.kickOutbox();
      return due.length + reopened;
    },

    /**
     * At start-up: asks the provider about every checkout still awaiting, so a payment whose
     * report was lost (the process died before recording it) is found without waiting for the
     * provider to send it again.
     */
    async reconcile(): Promise<number> {
      if (!provider.takesMoney) return 0;
      const open = await Order.find({
        "payment.state": "awaiting",
        "payment.checkoutId": { $ne: null },
        status: "placed",
      })
        .limit(1000)
        .lean<OrderDoc[]>();
      const checkouts = [
        ...open.map((order) => ({ id: order._id, checkoutId: order.payment!.checkoutId! })),
        ...(await carts.awaitingCheckouts()).map((cart) => ({
          id: cart.payment!.id,
          checkoutId: cart.payment!.checkoutId!,
        })),
      ];
      let found = 0;
      for (const { id, checkoutId } of checkouts) {
        const report = await provider.lookup(checkoutId).catch((error: unknown) => {
          ctx.log.warn({ err: error, payFor: id }, "payment reconciliation: checkout not looked up");
          return null;
        });
        if (report && report.kind !== "expired" && (await this.apply(report)) === "applied") found++;
      }
      return found;
    },
  };
}

export type Payments = ReturnType<typeof createPayments>;

function requirePayment(payment: OrderPayment): string {
  if (!payment.paymentId)
    throw new PaymentRefused("no_payment", "the order has no authorized payment to act on");
  return payment.paymentId;
}
