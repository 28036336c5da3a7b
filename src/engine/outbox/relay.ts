import { driverCollection, type OrderDoc } from "../../../models";
import type { EngineContext } from "../context";
import { type OutboxWriter, shippingRequest } from "./writer";

/** Orders relayed per round: a burst's orders go in a few bulk writes, and no pass grows unbounded. */
const RELAY_BATCH = 500;

export type ShippingRelay = () => Promise<number>;

/** Told, before the orders are marked relayed, of the groups orders were placed in (their status cards follow). */
export type JoinedGroupsListener = (groupCodes: string[]) => Promise<void>;

/**
 * Moves the shipping requests of orders written without one (`shippingQueued: false`, a `/join`)
 * into the outbox: one read, one bulk write of the requests, one write marking the orders, however
 * many there are; the groups they joined are then told, so their status cards show the joins. The
 * order is committed first, so a request is never lost: a process that dies
 * before marking leaves the orders unmarked, and the next pass (any instance) writes the same
 * requests again under the same ids, which stores each once. Returns how many orders it relayed.
 */
export function createShippingRelay(
  ctx: EngineContext,
  writer: OutboxWriter,
  options: { configured: boolean; joined: () => JoinedGroupsListener | undefined },
): ShippingRelay {
  const orders = () => driverCollection(ctx.models.Order);
  return async () => {
    let relayed = 0;
    for (;;) {
      const batch = await orders().find({ shippingQueued: false }).limit(RELAY_BATCH).toArray();
      if (batch.length === 0) return relayed;
      // An order paid through crowdcart gets its request only once its money is captured; its
      // group's card still follows the join.
      const requested = (batch as OrderDoc[]).filter((order) => !order.payment);
      // With no URL to send them to, they are kept as the worker would keep them, without a claim each.
      await writer.shippingRequests(requested, !options.configured);
      if (!options.configured) {
        for (const order of requested) {
          ctx.log.info(
            { orderId: order._id, shippingRequest: shippingRequest(order, "requested") },
            "shipping request kept (FULFILLMENT_WEBHOOK_URL is unset)",
          );
        }
      }
      // Before the orders are marked: a pass that dies in between finds them, and the groups, again.
      const groupCodes = [...new Set(batch.flatMap((order) => (order.groupCode ? [order.groupCode] : [])))];
      const joined = options.joined();
      if (joined && groupCodes.length > 0) await joined(groupCodes);
      await orders().updateMany(
        { _id: { $in: batch.map((order) => order._id) }, shippingQueued: false },
        { $set: { shippingQueued: true } },
      );
      relayed += batch.length;
      if (batch.length < RELAY_BATCH) return relayed;
    }
  };
}
