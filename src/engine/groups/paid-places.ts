import type { GroupDoc, OrderDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import type { Offers } from "./offers";
import type { Settlement } from "./settle";

/**
 * What a group does as its members' money arrives (with payments on): a member whose card is
 * authorized counts toward completion, and a place still unpaid when its window ends is given back.
 */
export function createPaidPlaces(ctx: EngineContext, settlement: Settlement, offers: Offers) {
  const { Group } = ctx.models;
  const memberOf = (order: OrderDoc) => ({
    _id: order.groupCode ?? "",
    state: "open" as const,
    "members.orderId": order._id,
  });

  return {
    /** The member's money is in place: counted, and the group completes when `max` have paid. */
    async taken(session: Session, order: OrderDoc): Promise<GroupDoc | null> {
      const group = await Group.findOneAndUpdate(
        memberOf(order),
        { $inc: { paidCount: 1 } },
        { session, returnDocument: "after" },
      ).lean<GroupDoc>();
      if (group) await settlement.completeIfFull(session, group);
      return group;
    },

    /** The place goes back to the group (the member is no longer in it), offered to its waitlist. */
    async givenBack(session: Session, order: OrderDoc): Promise<GroupDoc | null> {
      const group = await Group.findOneAndUpdate(
        memberOf(order),
        { $inc: { memberCount: -1 }, $pull: { members: { orderId: order._id } } },
        { session, returnDocument: "after" },
      ).lean<GroupDoc>();
      return group && (await offers.offerFreed(session, group));
    },
  };
}

export type PaidPlaces = ReturnType<typeof createPaidPlaces>;
