import type { OrderDoc, ProductDoc } from "../../../models";
import { type UserIdentity, userKey } from "../../kernel";
import type { Catalog } from "../catalog";
import type { EngineContext } from "../context";
import { userError } from "../errors";
import type { GuessLimit } from "../guess-limit";
import { checkQty, type Orders } from "../orders";
import type { OutboxWriter } from "../outbox";
import type { Payments } from "../payments";
import { createCartChanges } from "./change";
import { createCheckout } from "./checkout";
import { currentView, findCurrentCart } from "./current";
import { checkSku } from "./limits";
import { addLine, removeLine } from "./lines";
import { lazyCartParts, type SessionSettings } from "./parts";
import { createResume } from "./resume";
import type { CheckedOutPayment, CodeAccess, CurrentCart } from "./types";

export type { SessionSettings } from "./parts";
export type { CartView, CheckoutResult, CodeAccess, CurrentCart } from "./types";

/** What carts are built from. */
export interface CartDeps {
  catalog: Catalog;
  orders: Orders;
  outbox: OutboxWriter;
  /** Session codes that match nothing count against the sender, like unknown group codes. */
  guesses: GuessLimit;
  session: SessionSettings;
  /** Waits out improper-access delays. Default: a real timer. Tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** With payments on, a checkout's orders are paid before they ship. */
  payments?: Payments | undefined;
}

/** Who presents a code to the page: a user, or an opaque key such as `web:<address>`. */
export type Sender = UserIdentity | string;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type Carts = ReturnType<typeof createCarts>;

/**
 * Cart sessions: each shopper's cart is a session with a code `<serial>-<token>`, issued on first
 * access, used until checkout, resumable by code from any platform, expiring when idle.
 */
export function createCarts(ctx: EngineContext, deps: CartDeps) {
  const parts = lazyCartParts(ctx, {
    session: deps.session,
    outbox: deps.outbox,
    guesses: deps.guesses,
    sleep: deps.sleep ?? realSleep,
  });
  const changes = createCartChanges(ctx, parts);
  const forget = changes.forget;
  const checkout = createCheckout(ctx, { parts, orders: deps.orders, forget, payments: deps.payments });
  const resume = createResume(ctx, { parts, forget });

  async function requireProduct(sku: unknown): Promise<ProductDoc> {
    const key = checkSku(sku);
    const product = await deps.catalog.get(key);
    if (!product) {
      throw userError("UNKNOWN_PRODUCT", { sku: String(sku).trim() });
    }
    if (product.withdrawnAt) throw userError("PRODUCT_WITHDRAWN", { sku: product.sku });
    return product;
  }

  /** With payments on: where the money of each order of a paid cart stands (paid, or refunded since). */
  async function checkedOutPayments(orderIds: string[]): Promise<CheckedOutPayment[]> {
    const orders = await ctx.models.Order.find({ _id: { $in: orderIds } }).lean<OrderDoc[]>();
    return orders.flatMap((order) =>
      order.payment
        ? [
            {
              orderId: order._id,
              name: order.name,
              qty: order.qty,
              total: order.total,
              currency: order.currency,
              state: order.payment.state,
            },
          ]
        : [],
    );
  }

  return {
    /** `/cart` and `/cart show`: the caller's cart, issuing a session on first access. */
    show(user: UserIdentity): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const p = await parts();
        const found = await findCurrentCart(ctx, p, user, true);
        if (!found) throw new Error("unreachable: current(create) returned nothing");
        if (found.issued) return currentView(p, found);
        // Looking at the cart is activity: it restarts the idle timer.
        const now = ctx.clock.now();
        await p.store.touch(found.doc._id, now);
        const touched = await p.store.models.CartSession.findById(found.doc._id).lean();
        return currentView(p, found, touched ?? found.doc);
      });
    },

    /**
     * `/cart add <sku> [qty=n]`: validated first, then added atomically. With the chat event's
     * key, a retry of an add already made changes nothing.
     */
    add(user: UserIdentity, sku: unknown, qty?: unknown, eventKey?: string): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const count = checkQty(qty, 1);
        const product = await requireProduct(sku);
        return changes.change(user, (lines) => addLine(lines, product, count), eventKey);
      });
    },

    /** `/cart remove <sku> [qty=n]`: no qty (or at least the line's) removes the line. */
    remove(user: UserIdentity, sku: unknown, qty?: unknown, eventKey?: string): Promise<CurrentCart> {
      return ctx.guard(async () => {
        const count = qty === undefined || qty === null ? undefined : checkQty(qty, 1);
        const productId = checkSku(sku);
        const typed = String(sku).trim();
        return changes.change(user, (lines) => removeLine(lines, productId, typed, count), eventKey);
      });
    },

    checkout: (user: UserIdentity) => ctx.guard(() => checkout(user)),

    resume: (user: UserIdentity, code: string): Promise<CodeAccess> => ctx.guard(() => resume(user, code)),

    /**
     * For the `/s/<code>` page: the cart's view model, or why it cannot be shown. Counts as
     * activity; attaches nobody. Malformed codes throw UserError.
     */
    viewByCode(code: string, sender: Sender): Promise<CodeAccess> {
      return ctx.guard(async () => {
        const p = await parts();
        const access = (await p.access.present(code, typeof sender === "string" ? sender : userKey(sender)))
          .access;
        if (access.kind !== "closed" || !deps.payments?.on || !access.orderIds?.length) return access;
        return { ...access, payments: await checkedOutPayments(access.orderIds) };
      });
    },

    /** Builds indexes and the sealing key now rather than on the first cart command. */
    async ready(): Promise<void> {
      await ctx.guard(() => parts());
    },
  };
}
