import { randomBytes } from "node:crypto";
import type { OrderDoc, OutboxPayment, PaymentEventDoc, ProductDoc, UserDoc } from "../../../models";
import {
  bindCartSessionModel,
  type CartLine,
  type CartPayment,
  type CartSessionDoc,
} from "../../../models/cart-session";
import type { PaymentProvider, PaymentReport } from "../../payments/port";
import type { EngineContext, Session } from "../context";
import { userError } from "../errors";
import type { Orders } from "../orders";
import type { OutboxWriter } from "../outbox";
import { cartPayLinkText, cartReopenedDm } from "./messages";

const CART_CHECKOUT_PREFIX = "cart_";

/** A cart checkout's id (`cart_…`), as opposed to an order's (`ord_…`). */
export function isCartCheckoutId(id: string): boolean {
  return id.startsWith(CART_CHECKOUT_PREFIX);
}

/** Carts still awaiting payment whose window ended, reopened per pass. */
const SWEEP_BATCH = 100;

/**
 * With payments on, a cart's checkout: one checkout for all its lines, paid at once. The cart is
 * locked (`paying`) until then; the verified payment places its orders, sends their shipping
 * requests and closes it, in one transaction; a window that ends unpaid opens it again.
 */
export function createCartPayments(
  ctx: EngineContext,
  deps: {
    provider: PaymentProvider;
    windowMs: number;
    /** SESSION_TTL: a reopened cart lives this long without activity, as any cart. */
    cartTtlMs: number;
    orders: Orders;
    outbox: OutboxWriter;
    returnUrl: string;
  },
) {
  const CartSession = bindCartSessionModel(ctx.connection);
  const { User } = ctx.models;

  /** Opens the cart's checkout (keyed by the cart checkout, so asking twice gives the same one) and records it. */
  async function open(
    cart: CartSessionDoc,
    payment: CartPayment,
  ): Promise<{ url: string; recorded: boolean }> {
    const checkout = await deps.provider.openCheckout({
      payFor: { cartCheckoutId: payment.id },
      lines: cart.lines.map((line) => ({
        description: `${line.name} (${line.sku})`,
        unitAmount: line.unitPrice,
        qty: line.qty,
      })),
      amount: payment.amount,
      currency: payment.currency,
      capture: "automatic",
      expiresAt: payment.dueBy,
      windowMs: deps.windowMs,
      returnUrl: deps.returnUrl,
    });
    const recorded = await CartSession.updateOne(
      { _id: cart._id, "payment.id": payment.id, "payment.checkoutId": null },
      { $set: { "payment.checkoutId": checkout.id, "payment.checkoutUrl": checkout.url } },
    );
    if (recorded.modifiedCount === 1) return { url: checkout.url, recorded: true };
    const current = await CartSession.findById(cart._id, { payment: 1 }).lean();
    return { url: current?.payment?.checkoutUrl ?? checkout.url, recorded: false };
  }

  /** The window ended unpaid: the cart opens again, its checkout is closed and the buyer told. */
  async function reopen(session: Session, cart: CartSessionDoc, payment: CartPayment): Promise<boolean> {
    const now = ctx.clock.now();
    const reopened = await CartSession.updateOne(
      { _id: cart._id, status: "paying", "payment.id": payment.id, "payment.state": "awaiting" },
      {
        $set: {
          status: "open",
          "payment.state": "expired",
          lastActivityAt: now,
          expiresAt: new Date(now.getTime() + deps.cartTtlMs),
        },
        $inc: { version: 1 },
      },
      { session },
    );
    if (reopened.modifiedCount === 0) return false;
    await deps.outbox.payment(session, {
      orderId: payment.id,
      action: "expire",
      amount: 0,
      checkoutId: payment.checkoutId,
    });
    await deps.outbox.dm(session, {
      id: `cart-unpaid:${payment.id}`,
      to: payment.buyerKey,
      text: cartReopenedDm(cart.serial),
    });
    return true;
  }

  /** Money for a cart checkout nobody wants any more (the cart opened again, or another checkout paid): refunded. */
  async function refundUnwanted(session: Session, report: PaymentReport): Promise<void> {
    if (!report.paymentId || !report.cartCheckoutId) return;
    await deps.outbox.payment(session, {
      orderId: report.cartCheckoutId,
      action: "refund",
      amount: report.amount,
      paymentId: report.paymentId,
    });
  }

  /** The cart's orders, placed once its money arrived: at the prices it was paid at, each shipping now. */
  async function placeOrders(
    session: Session,
    cart: CartSessionDoc,
    payment: CartPayment,
  ): Promise<OrderDoc[]> {
    const buyer = await User.findById(payment.buyerKey)
      .session(session ?? null)
      .lean<UserDoc>();
    const made = await deps.orders.placeOrders(
      session,
      cart.lines.map((line) => ({
        userKey: payment.buyerKey,
        sku: line.productId,
        qty: line.qty,
        // The serial, not the whole code: an order record must not carry a usable secret.
        sessionCode: cart.serial,
        known: { product: productOfLine(line, payment.dueBy), region: buyer?.region ?? null },
        payment: {
          state: "paid",
          capture: "automatic",
          dueBy: payment.dueBy,
          checkoutId: payment.checkoutId,
          checkoutUrl: null,
          paymentId: payment.paymentId,
          held: 0,
          charged: line.unitPrice * line.qty,
          saved: 0,
        },
      })),
    );
    for (const order of made) await deps.outbox.shipping(session, order, "requested");
    return made;
  }

  return {
    /**
     * The checkout a cart of `lines` starts, for `buyerKey`: awaiting payment until the window
     * ends. A cart paid in one checkout is paid in one currency: a mixed cart is refused.
     */
    awaiting(lines: readonly CartLine[], buyerKey: string): CartPayment {
      const currency = lines[0]!.currency;
      const others = lines.filter((line) => line.currency !== currency);
      if (others.length > 0) {
        const currencies = [...new Set(lines.map((line) => line.currency))].sort();
        throw userError("CART_MIXED_CURRENCIES", {
          currencies: currencies.join(" and "),
          remove: others.map((line) => line.sku).join(", "),
        });
      }
      return {
        id: `${CART_CHECKOUT_PREFIX}${randomBytes(12).toString("base64url")}`,
        state: "awaiting",
        buyerKey,
        dueBy: new Date(ctx.clock.now().getTime() + deps.windowMs),
        amount: lines.reduce((sum, line) => sum + line.unitPrice * line.qty, 0),
        currency,
        checkoutId: null,
        checkoutUrl: null,
        paymentId: null,
      };
    },

    /** The checkout link of a cart just locked; null when the provider could not be reached (the outbox DMs it). */
    async link(cart: CartSessionDoc): Promise<string | null> {
      const payment = cart.payment;
      if (!payment) return null;
      if (payment.checkoutUrl) return payment.checkoutUrl;
      try {
        return (await open(cart, payment)).url;
      } catch (error) {
        ctx.log.warn(
          { err: error, cartCheckoutId: payment.id },
          "cart checkout not opened now; the outbox will DM the link",
        );
        return null;
      }
    },

    /** What a report for a cart checkout changes, inside the caller's transaction. */
    async applyTo(session: Session, report: PaymentReport): Promise<PaymentEventDoc["outcome"]> {
      const cart = await CartSession.findOne({ "payment.id": report.cartCheckoutId })
        .session(session ?? null)
        .lean();
      const payment = cart?.payment;
      if (!cart || !payment) {
        ctx.log.warn(
          { eventId: report.eventId, cartCheckoutId: report.cartCheckoutId },
          "payment report for no cart we know",
        );
        return "ignored";
      }
      const waiting = cart.status === "paying" && payment.state === "awaiting";
      if (report.kind === "expired")
        return waiting && (await reopen(session, cart, payment)) ? "applied" : "ignored";
      if (report.amount !== payment.amount || report.currency !== payment.currency) {
        ctx.log.error(
          {
            cartCheckoutId: payment.id,
            eventId: report.eventId,
            amount: report.amount,
            currency: report.currency,
          },
          "payment refused: its amount or currency does not match the cart",
        );
        await refundUnwanted(session, report);
        return "refused";
      }
      if (!waiting) {
        // The same payment again (its event and a start-up lookup): already recorded.
        if (payment.paymentId === report.paymentId) return "ignored";
        await refundUnwanted(session, report);
        return "applied";
      }
      const now = ctx.clock.now();
      const paid = await CartSession.findOneAndUpdate(
        { _id: cart._id, status: "paying", "payment.id": payment.id, "payment.state": "awaiting" },
        {
          $set: {
            status: "checked_out",
            closedAt: now,
            lastActivityAt: now,
            "payment.state": "paid",
            "payment.paymentId": report.paymentId,
          },
          $inc: { version: 1 },
        },
        { session, returnDocument: "after" },
      ).lean();
      if (!paid?.payment) return "ignored";
      const made = await placeOrders(session, paid, paid.payment);
      await CartSession.updateOne(
        { _id: cart._id },
        { $set: { orderIds: made.map((order) => order._id) } },
        { session },
      );
      return "applied";
    },

    /** The provider call an outbox message for a cart checkout asks for. */
    async call(message: OutboxPayment): Promise<void> {
      const id = message.orderId;
      switch (message.action) {
        case "checkout": {
          // The checkout's reply usually carried the link; when it could not, it goes by DM.
          const cart = await CartSession.findOne({ "payment.id": id }).lean();
          const payment = cart?.payment;
          if (!cart || !payment || cart.status !== "paying" || payment.state !== "awaiting") return;
          if (payment.checkoutId) return;
          const { url, recorded } = await open(cart, payment);
          if (recorded) {
            await deps.outbox.dm(undefined, {
              id: `pay-link:${id}`,
              to: payment.buyerKey,
              text: cartPayLinkText(payment, url, deps.windowMs),
            });
          }
          return;
        }
        case "expire":
          if (message.checkoutId) await deps.provider.expireCheckout(id, message.checkoutId);
          return;
        case "refund":
          if (message.paymentId) await deps.provider.refund(id, message.paymentId, message.amount);
          return;
        default:
          return;
      }
    },

    /** The cart a checkout was opened for (the demo's page), or null. */
    cartOfCheckout(checkoutId: string): Promise<CartSessionDoc | null> {
      return ctx.guard(() => CartSession.findOne({ "payment.checkoutId": checkoutId }).lean());
    },

    /** Opens again the carts whose payment window ended unpaid; returns how many. */
    async sweep(): Promise<number> {
      const due = await CartSession.find({ status: "paying", "payment.dueBy": { $lte: ctx.clock.now() } })
        .limit(SWEEP_BATCH)
        .lean();
      let reopened = 0;
      for (const cart of due) {
        // Paid in the meantime: the condition in reopen finds nothing to change.
        if (cart.payment && (await ctx.tx((session) => reopen(session, cart, cart.payment!)))) reopened++;
      }
      return reopened;
    },

    /** Carts still awaiting the payment of an opened checkout, for start-up reconciliation. */
    awaitingCheckouts(): Promise<CartSessionDoc[]> {
      return CartSession.find({
        status: "paying",
        "payment.state": "awaiting",
        "payment.checkoutId": { $ne: null },
      })
        .limit(1000)
        .lean();
    },
  };
}

export type CartPayments = ReturnType<typeof createCartPayments>;

/** The product as the cart was paid for it: its orders are placed at the price the buyer paid. */
function productOfLine(line: CartLine, at: Date): ProductDoc {
  return {
    _id: line.productId,
    sku: line.sku,
    name: line.name,
    price: line.unitPrice,
    currency: line.currency,
    tiers: [],
    regionRebates: {},
    updatedAt: at,
  };
}
