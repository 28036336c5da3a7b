import type { OutboxDoc, OutboxStatus } from "../../../models";
import type { OrderBook } from "../../storefront/port";
import type { EngineContext } from "../context";
import { createShippingRelay, type JoinedGroupsListener } from "./relay";
import { type OutboxOptions, OutboxWorker } from "./worker";
import { createOutboxWriter } from "./writer";

export { DEFAULT_OUTBOX_OPTIONS, type OutboxOptions, OutboxWorker } from "./worker";
export { type CardInput, cardMessageId, type DmInput, type OutboxWriter, shippingBody } from "./writer";

export type Outbox = ReturnType<typeof createOutbox>;

/** The outbox: a writer used inside transactions, and the worker that delivers after commit. */
export function createOutbox(ctx: EngineContext, orders?: OrderBook, options?: Partial<OutboxOptions>) {
  const writer = createOutboxWriter(ctx);
  let joined: JoinedGroupsListener | undefined;
  const relay = createShippingRelay(ctx, writer, {
    configured: orders?.configured === true,
    joined: () => joined,
  });
  const worker = new OutboxWorker(ctx, orders, options, relay);
  return {
    writer,
    worker,
    /** Delivers everything due now (tests and shutdown); returns how many were handled. */
    runOnce: () => ctx.guard(() => worker.runOnce()),
    /** Who hears of the groups that relayed orders joined (the groups' status cards). */
    onGroupsJoined(listener: JoinedGroupsListener): void {
      joined = listener;
    },
    /** Removes delivered messages past OUTBOX_RETENTION (the running worker does it every minute). */
    purgeDelivered: () => ctx.guard(() => worker.purgeDelivered()),
    list(
      filter: { status?: OutboxStatus; kind?: OutboxDoc["kind"]; userKey?: string } = {},
    ): Promise<OutboxDoc[]> {
      const query: Record<string, unknown> = {};
      if (filter.status) query.status = filter.status;
      if (filter.kind) query.kind = filter.kind;
      if (filter.userKey) query["dm.userKey"] = filter.userKey;
      // Every message that will go out, including requests of orders the worker has not relayed yet.
      return ctx.guard(async () => {
        await relay();
        return ctx.models.OutboxMessage.find(query).sort({ createdAt: 1, _id: 1 }).lean<OutboxDoc[]>();
      });
    },
  };
}
