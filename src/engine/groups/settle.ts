import {
  driverCollection,
  type GroupDoc,
  type LedgerEntryDoc,
  type OrderDoc,
  type ProductDoc,
  type UserDoc,
} from "../../../models";
import type { EngineContext, Session } from "../context";
import { memberDiscount } from "../discount";
import type { Orders } from "../orders";
import type { DmInput, OutboxWriter } from "../outbox";
import type { Payments } from "../payments";
import { chargedDm, refundedText, unpaidAtCloseDm } from "../payments/messages";
import type { StatusCards } from "./card";
import { completedDm, failedDm, organiserOutcomeDm } from "./messages";
import type { Offers } from "./offers";

/**
 * Closing a group and writing what follows from it. Every write here is idempotent (deterministic
 * ids, conditional updates), so settling a group twice — a retried transaction, two instances, or
 * a standalone server resuming after a crash — has the effect of settling it once.
 */
export function createSettlement(
  ctx: EngineContext,
  orders: Orders,
  outbox: OutboxWriter,
  cards: StatusCards,
  offers: Offers,
  payments?: Payments,
) {
  const { Group, Order, Product, LedgerEntry, User } = ctx.models;
  /** With payments on, a group completes on the members whose money is in place. */
  const counted: "paidCount" | "memberCount" = payments?.on ? "paidCount" : "memberCount";

  /**
   * Moves an open group to `complete`/`failed` if the condition still holds; null when another
   * writer won. `also`: more fields written with it (why an organiser cancelled).
   */
  async function close(
    session: Session,
    filter: Record<string, unknown>,
    state: "complete" | "failed",
    also: Partial<GroupDoc> = {},
  ) {
    return Group.findOneAndUpdate(
      { ...filter, state: "open" },
      { $set: { ...also, state, settled: false, closedAt: ctx.clock.now() } },
      { session, returnDocument: "after" },
    ).lean<GroupDoc>();
  }

  async function productOf(session: Session, sku: string): Promise<ProductDoc | null> {
    return Product.findById(sku.toUpperCase())
      .session(session ?? null)
      .lean<ProductDoc>();
  }

  async function settleComplete(session: Session, group: GroupDoc, product: ProductDoc): Promise<void> {
    // Everything read in three queries, whatever the group's size: this can run inside a join's transaction.
    const orderList = await Order.find({ _id: { $in: group.members.map((m) => m.orderId) } })
      .session(session ?? null)
      .lean<OrderDoc[]>();
    const ordersById = new Map(orderList.map((o) => [o._id, o]));
    const skus = [...new Set(orderList.map((o) => o.sku.toUpperCase()))];
    const products = new Map(
      (
        await Product.find({ _id: { $in: skus } })
          .session(session ?? null)
          .lean<ProductDoc[]>()
      ).map((p) => [p._id, p]),
    );
    const history = await LedgerEntry.find(
      { userKey: { $in: group.members.map((m) => m.userKey) } },
      { userKey: 1, amount: 1 },
    )
      .session(session ?? null)
      .lean<Pick<LedgerEntryDoc, "_id" | "userKey" | "amount">[]>();

    // Every member's credit and message written together, not one round trip each.
    const credits: { entryId: string; entry: Omit<LedgerEntryDoc, "_id"> }[] = [];
    const dms: DmInput[] = [];
    for (const member of group.members) {
      const order = ordersById.get(member.orderId);
      if (!order) continue;
      // Tiers come from the group's product at the final count; the rebate from what ships to the member.
      const shipped = products.get(order.sku.toUpperCase());
      if (order.payment) {
        await settlePaid(session, group, product, order, shipped);
        continue;
      }
      const discount = memberDiscount({
        tiers: product.tiers,
        finalMembers: group.memberCount,
        orderTotal: order.total,
        region: order.region,
        regionRebates: shipped?.regionRebates ?? {},
      });
      const entryId = `group-discount:${group._id}:${member.userKey}`;
      if (discount.total > 0) {
        const entry: Omit<LedgerEntryDoc, "_id"> = {
          userKey: member.userKey,
          amount: discount.total,
          currency: order.currency,
          reason: "group-discount",
          groupCode: group._id,
          orderId: order._id,
          detail: {
            tierPercentOff: discount.tierPercentOff,
            tierAmount: discount.tierAmount,
            region: discount.region,
            regionRebate: discount.regionRebate,
          },
          createdAt: ctx.clock.now(),
        };
        credits.push({ entryId, entry });
      }
      // The balance after this credit, counted so that settling again gives the same number.
      const balance =
        history
          .filter((e) => e.userKey === member.userKey && e._id !== entryId)
          .reduce((sum, e) => sum + e.amount, 0) + discount.total;
      dms.push({
        id: `complete:${group._id}:${member.userKey}`,
        to: member.userKey,
        text: completedDm({ group, product, discount, currency: order.currency, balance }),
      });
    }
    if (credits.length > 0)
      await driverCollection(LedgerEntry).bulkWrite(
        credits.map(({ entryId, entry }) => ({
          updateOne: { filter: { _id: entryId }, update: { $setOnInsert: entry }, upsert: true },
        })),
        session ? { session } : { ordered: false },
      );
    if (dms.length > 0) await outbox.dms(session, dms);
  }

  /**
   * With payments on, the discount is paid back by never charging it: the hold is captured for the
   * list price less the tier reached (by paying members) and the member's region rebate. An order
   * still unpaid at the close is cancelled.
   */
  async function settlePaid(
    session: Session,
    group: GroupDoc,
    product: ProductDoc,
    order: OrderDoc,
    shipped: ProductDoc | undefined,
  ) {
    const state = order.payment?.state;
    if (state === "awaiting") {
      if (await orders.cancelOrder(session, order._id)) {
        await outbox.dm(session, {
          id: `unpaid-close:${order._id}`,
          to: order.userKey,
          text: unpaidAtCloseDm(order),
        });
      }
      return;
    }
    // Settled again (a resumed settlement): what was decided then stands.
    if (state !== "authorized") return;
    const discount = memberDiscount({
      tiers: product.tiers,
      finalMembers: group.paidCount ?? 0,
      orderTotal: order.total,
      region: order.region,
      regionRebates: shipped?.regionRebates ?? {},
    });
    const charged = Math.max(order.total - discount.total, 0);
    // Nothing left to charge (a rebate as large as the price): the hold is released instead.
    if (charged > 0)
      await outbox.payment(session, { orderId: order._id, action: "capture", amount: charged });
    else await outbox.payment(session, { orderId: order._id, action: "release", amount: 0 });
    await outbox.dm(session, {
      id: `complete:${group._id}:${order.userKey}`,
      to: order.userKey,
      text: chargedDm({ group, order, charged, discount }),
    });
  }

  async function settleFailed(session: Session, group: GroupDoc, product: ProductDoc): Promise<void> {
    const refunded = await chargedOrders(session, group);
    for (const member of group.members) {
      await orders.cancelOrder(session, member.orderId);
      const text = failedDm({ group, product, orderId: member.orderId });
      await outbox.dm(session, {
        id: `failed:${group._id}:${member.userKey}`,
        to: member.userKey,
        text: refunded.has(member.orderId) ? refundedText(text, refunded.get(member.orderId)!) : text,
      });
    }
  }

  /** With payments on, the group's orders whose money was taken (a completed group cancelled), by id. */
  async function chargedOrders(session: Session, group: GroupDoc): Promise<Map<string, OrderDoc>> {
    if (!payments?.on || group.members.length === 0) return new Map();
    const charged = await Order.find({
      _id: { $in: group.members.map((m) => m.orderId) },
      "payment.state": { $in: ["captured", "paid"] },
    })
      .session(session ?? null)
      .lean<OrderDoc[]>();
    return new Map(charged.map((order) => [order._id, order]));
  }

  /** Writes the consequences of a closed group, then marks it settled. */
  async function settle(session: Session, group: GroupDoc): Promise<void> {
    if (group.state === "open" || group.settled) return;
    await offers.clear(session, group);
    await cards.changed(session, { ...group, offered: 0 });
    const product = await productOf(session, group.sku);
    if (product) {
      if (group.state === "complete") await settleComplete(session, group, product);
      else await settleFailed(session, group, product);
      if (!group.members.some((m) => m.userKey === group.organiserKey)) {
        const organiser = await User.findById(group.organiserKey)
          .session(session ?? null)
          .lean<UserDoc>();
        if (organiser) {
          await outbox.dm(session, {
            // A completed group cancelled later (payments on) tells its organiser a second outcome.
            id: `${typeof group.cancelReason === "string" ? "cancelled" : "outcome"}:${group._id}:${group.organiserKey}`,
            to: group.organiserKey,
            text: organiserOutcomeDm({ group, product }),
          });
        }
      }
    } else {
      ctx.log.error(
        { groupCode: group._id, sku: group.sku },
        "group settled without its product in the catalog",
      );
    }
    await Group.updateOne({ _id: group._id }, { $set: { settled: true } }, { session });
  }

  return {
    close,
    settle,
    /** What completion counts: members, or with payments on the members whose money is in place. */
    counted,
    /**
     * With payments on, an organiser may still cancel a completed group: it turns failed with the
     * reason, every order is cancelled and the money taken for it refunded.
     */
    async cancelCompleted(session: Session, code: string, cancelReason: string): Promise<GroupDoc | null> {
      if (!payments?.on) return null;
      const cancelled = await Group.findOneAndUpdate(
        { _id: code, state: "complete", settled: true },
        { $set: { state: "failed", settled: false, cancelReason, closedAt: ctx.clock.now() } },
        { session, returnDocument: "after" },
      ).lean<GroupDoc>();
      if (cancelled) await settle(session, cancelled);
      return cancelled;
    },
    /** At `max` (called inside the join's transaction). */
    async completeIfFull(session: Session, group: GroupDoc): Promise<GroupDoc | null> {
      if ((group[counted] ?? 0) < group.max) return null;
      const closed = await close(session, { _id: group._id, [counted]: { $gte: group.max } }, "complete");
      if (closed) await settle(session, closed);
      return closed;
    },
    /** At the deadline: complete with at least `size` members, failed below. */
    async closeExpired(session: Session, group: GroupDoc): Promise<GroupDoc | null> {
      const now = ctx.clock.now();
      const due = { _id: group._id, expiresAt: { $lte: now } };
      const closed =
        (await close(session, { ...due, [counted]: { $gte: group.size } }, "complete")) ??
        (await close(session, { ...due, [counted]: { $not: { $gte: group.size } } }, "failed"));
      if (closed) await settle(session, closed);
      return closed;
    },
  };
}

export type Settlement = ReturnType<typeof createSettlement>;
