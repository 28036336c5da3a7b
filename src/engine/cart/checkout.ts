import type { ProductDoc } from "../../../models";
import type { CartLine, CartSessionDoc } from "../../../models/cart-session";
import { type UserIdentity, userKey } from "../../kernel";
import type { EngineContext } from "../context";
import { userError } from "../errors";
import type { Orders } from "../orders";
import type { Payments } from "../payments";
import { backOff, MAX_WRITE_ROUNDS } from "./change";
import { findCurrentCart, viewOf } from "./current";
import type { CartParts } from "./parts";
import { retryingConflicts } from "./retry";
import type { CheckoutResult } from "./types";

/**
 * `/cart checkout`: closes the session and places one order per line through the shared
 * purchase procedure (each with its shipping request), all in one transaction. The closing
 * write comes first and is conditional on the version read, so a concurrent add either lands
 * before (and is ordered) or fails after (the cart has ended).
 *
 * With payments on, the cart is instead locked awaiting one checkout for all its lines; its orders
 * are placed (and shipped) when that checkout is paid (src/engine/payments/cart.ts).
 */
export function createCheckout(
  ctx: EngineContext,
  deps: {
    parts: () => Promise<CartParts>;
    orders: Orders;
    forget: (key: string) => void;
    /** With payments on, each order is paid at a checkout and ships once paid. */
    payments?: Payments | undefined;
  },
) {
  const paying = deps.payments?.on ? deps.payments : undefined;
  return async function checkout(user: UserIdentity): Promise<CheckoutResult> {
    const p = await deps.parts();
    const { CartSession } = p.store.models;
    const key = userKey(user);
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const found = await findCurrentCart(ctx, p, user, false);
      // Checked out already and waiting for its money: the same checkout again.
      if (found?.doc.status === "paying") {
        // Checked out while PAYMENTS was on and switched off since: nothing here can take its money.
        if (!paying) throw userError("CART_PAYMENTS_OFF");
        return awaitingPayment(p, found.doc, paying);
      }
      if (!found || found.doc.lines.length === 0) {
        throw userError("EMPTY_CART");
      }
      const read = found.doc;
      if (paying) {
        const locked = await lock(p, read, key, paying);
        if (!locked) {
          await backOff(round);
          continue;
        }
        ctx.kickOutbox();
        deps.forget(key);
        return awaitingPayment(p, locked, paying);
      }
      const placed = await retryingConflicts(() =>
        ctx.tx(async (session) => {
          const now = ctx.clock.now();
          const closed = await CartSession.findOneAndUpdate(
            { _id: read._id, version: read.version, status: "open", expiresAt: { $gt: now } },
            { $set: { status: "checked_out", closedAt: now, lastActivityAt: now }, $inc: { version: 1 } },
            { session, returnDocument: "after" },
          ).lean();
          if (!closed) return undefined;
          const made = [];
          for (const line of closed.lines) {
            // The serial, not the whole code: an order record must not carry a usable secret.
            made.push(
              await deps.orders.placeOrder(session, {
                userKey: key,
                sku: line.productId,
                qty: line.qty,
                sessionCode: closed.serial,
              }),
            );
          }
          const orderIds = made.map((order) => order._id);
          await CartSession.updateOne({ _id: read._id }, { $set: { orderIds } }, { session });
          return { closed: { ...closed, orderIds }, made };
        }),
      );
      if (!placed) {
        await backOff(round);
        continue;
      }
      ctx.kickOutbox();
      deps.forget(key);
      return {
        cart: await viewOf(p, placed.closed),
        orders: await Promise.all(
          placed.made.map(async (order) => ({
            orderId: order._id,
            sku: order.sku,
            qty: order.qty,
            total: order.total,
            currency: order.currency,
          })),
        ),
      };
    }
    throw new Error("checkout: the cart kept changing");
  };

  /**
   * Locks the cart as read awaiting its payment, at today's catalog prices (a product withdrawn
   * meanwhile is refused, as a checkout without payments refuses it); null when the cart changed.
   */
  async function lock(
    p: CartParts,
    read: CartSessionDoc,
    buyerKey: string,
    paying: Payments,
  ): Promise<CartSessionDoc | null> {
    const lines: CartLine[] = [];
    for (const line of read.lines) {
      const product = await ctx.models.Product.findById(line.productId).lean<ProductDoc>();
      if (!product) throw userError("UNKNOWN_PRODUCT", { sku: line.sku });
      if (product.withdrawnAt) throw userError("PRODUCT_WITHDRAWN", { sku: product.sku });
      lines.push({ ...line, name: product.name, unitPrice: product.price, currency: product.currency });
    }
    const payment = paying.carts.awaiting(lines, buyerKey);
    return retryingConflicts(() =>
      ctx.tx(async (session) => {
        const now = ctx.clock.now();
        const locked = await p.store.models.CartSession.findOneAndUpdate(
          { _id: read._id, version: read.version, status: "open", expiresAt: { $gt: now } },
          {
            $set: { status: "paying", lines, payment, lastActivityAt: now, expiresAt: payment.dueBy },
            $inc: { version: 1 },
          },
          { session, returnDocument: "after" },
        ).lean();
        if (locked) await paying.queueCartCheckout(session, payment);
        return locked;
      }),
    );
  }

  /** The reply to a checkout with payments on: the one link that pays for the whole cart. */
  async function awaitingPayment(
    p: CartParts,
    cart: CartSessionDoc,
    paying: Payments,
  ): Promise<CheckoutResult> {
    const payment = cart.payment!;
    return {
      cart: await viewOf(p, cart),
      orders: [],
      payment: {
        url: await paying.carts.link(cart),
        amount: payment.amount,
        currency: payment.currency,
        dueBy: payment.dueBy,
      },
    };
  }
}
