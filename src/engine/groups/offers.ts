import type { GroupDoc, ProductDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import type { OutboxWriter } from "../outbox";
import type { StatusCards } from "./card";
import { offerClosedDm, offerDm, offerLapsedDm } from "./messages";
import { offeredOf, PENDING_OFFER, PLACES_TAKEN, placesTaken, waitingOf } from "./waiting";

/** Groups whose offers ran out, handled per sweep. */
const LAPSE_BATCH = 100;

/**
 * Offers of freed places to a group's waitlist. A place freed in an open group with people waiting
 * (a leave, an unpaid place given back) is held for the first of them for `confirmMs`; one who does
 * not take it in time lapses, and the place goes to the next. Every write here runs in the
 * transaction of the change that caused it, with its DMs and the card.
 */
export function createOffers(
  ctx: EngineContext,
  deps: {
    outbox: OutboxWriter;
    cards: StatusCards;
    /** WAITLIST_CONFIRM. */
    confirmMs: number;
    product: (sku: string) => Promise<ProductDoc | null>;
  },
) {
  const { Group } = ctx.models;

  /**
   * Offers every place free in `group` (as it stands after the change) to those waiting, in order,
   * and queues its card; returns the group as it then stands.
   */
  async function offerFreed(session: Session, group: GroupDoc): Promise<GroupDoc> {
    let current = group;
    const now = ctx.clock.now();
    while (current.state === "open" && current.expiresAt > now && placesTaken(current) < current.max) {
      const next = waitingOf(current)[0];
      if (!next) break;
      const until = new Date(now.getTime() + deps.confirmMs);
      const waiting = { userKey: next.userKey, placedIn: null, offeredUntil: null, lapsedAt: null };
      const after = await Group.findOneAndUpdate(
        {
          _id: current._id,
          state: "open",
          $expr: { $lt: [PLACES_TAKEN, "$max"] },
          waitlist: { $elemMatch: waiting },
        },
        { $set: { "waitlist.$[w].offeredUntil": until }, $inc: { offered: 1 } },
        {
          session,
          returnDocument: "after",
          arrayFilters: [
            { "w.userKey": next.userKey, "w.placedIn": null, "w.offeredUntil": null, "w.lapsedAt": null },
          ],
        },
      ).lean<GroupDoc>();
      if (!after) break;
      const product = await deps.product(current.sku);
      await deps.outbox.dm(session, {
        id: `offer:${current._id}:${next.userKey}:${until.getTime()}`,
        to: next.userKey,
        ...offerDm({ group: after, productName: product?.name ?? current.sku, sku: current.sku, until }),
      });
      current = after;
    }
    await deps.cards.changed(session, current);
    return current;
  }

  /** Lapses `group`'s offers that ran out (each told), and offers their places to the next. */
  async function lapse(session: Session, group: GroupDoc): Promise<GroupDoc> {
    const now = ctx.clock.now();
    let current = group;
    let lapsed = 0;
    for (const entry of offeredOf(group)) {
      if (entry.offeredUntil! > now) continue;
      const held = {
        userKey: entry.userKey,
        placedIn: null,
        lapsedAt: null,
        offeredUntil: entry.offeredUntil,
      };
      const after = await Group.findOneAndUpdate(
        { _id: group._id, waitlist: { $elemMatch: held } },
        { $set: { "waitlist.$[w].lapsedAt": now }, $inc: { offered: -1 } },
        {
          session,
          returnDocument: "after",
          arrayFilters: [
            {
              "w.userKey": entry.userKey,
              "w.placedIn": null,
              "w.lapsedAt": null,
              "w.offeredUntil": entry.offeredUntil,
            },
          ],
        },
      ).lean<GroupDoc>();
      if (!after) continue;
      lapsed++;
      await deps.outbox.dm(session, {
        id: `offer-lapsed:${group._id}:${entry.userKey}:${entry.offeredUntil!.getTime()}`,
        to: entry.userKey,
        text: offerLapsedDm(group._id),
      });
      current = after;
    }
    return lapsed > 0 ? offerFreed(session, current) : current;
  }

  return {
    offerFreed,
    lapse,

    /** One sweep: every open group's offers that ran out lapse, their places offered on; returns how many groups. */
    async lapseDue(): Promise<number> {
      const due = await Group.find({
        state: "open",
        waitlist: { $elemMatch: { ...PENDING_OFFER, offeredUntil: { $lte: ctx.clock.now() } } },
      })
        .limit(LAPSE_BATCH)
        .lean<GroupDoc[]>();
      for (const group of due) {
        await ctx.tx(async (session) => {
          const current = await Group.findById(group._id)
            .session(session ?? null)
            .lean<GroupDoc>();
          if (current?.state === "open") await lapse(session, current);
        });
      }
      if (due.length > 0) ctx.kickOutbox();
      return due.length;
    },

    /** A group that closed with offers pending: they are withdrawn, each holder told. */
    async clear(session: Session, group: GroupDoc): Promise<void> {
      const pending = offeredOf(group);
      if (pending.length === 0) return;
      const now = ctx.clock.now();
      await Group.updateOne(
        { _id: group._id },
        { $set: { "waitlist.$[w].lapsedAt": now, offered: 0 } },
        {
          session,
          arrayFilters: [{ "w.placedIn": null, "w.lapsedAt": null, "w.offeredUntil": { $ne: null } }],
        },
      );
      for (const entry of pending) {
        await deps.outbox.dm(session, {
          id: `offer-closed:${group._id}:${entry.userKey}`,
          to: entry.userKey,
          text: offerClosedDm(group),
        });
      }
    },
  };
}

export type Offers = ReturnType<typeof createOffers>;
