import type { GroupDoc, OrderDoc } from "../../../models";
import type { EngineContext } from "../context";
import { checkQty, newOrderId, type Orders } from "../orders";
import { normalizeGroupCode } from "./code";
import { joinRefusal, unknownGroup } from "./errors";
import type { Settlement } from "./settle";

export interface JoinOptions {
  /** Another catalog product than the group's (claim 2). */
  sku?: string;
  qty?: number;
}

export interface JoinResult {
  order: OrderDoc;
  code: string;
  memberCount: number;
  size: number;
  max: number;
  /** True when this join filled the group and completed it. */
  completed: boolean;
  expiresAt: Date;
}

export function createJoin(
  ctx: EngineContext,
  deps: { orders: Orders; settlement: Settlement; requireProduct: (sku: string) => Promise<unknown> },
) {
  const { Group } = ctx.models;

  return async function join(
    userKey: string,
    codeInput: string,
    options: JoinOptions = {},
  ): Promise<JoinResult> {
    const code = normalizeGroupCode(codeInput);
    if (!code) throw unknownGroup(codeInput);
    const seen = await Group.findById(code).lean<GroupDoc>();
    if (!seen) throw unknownGroup(codeInput);
    const qty = options.qty ?? 1;
    checkQty(qty);
    const sku = options.sku ?? seen.sku;
    await deps.requireProduct(sku);
    const early = joinRefusal(seen, userKey, ctx.clock.now());
    if (early) throw early;

    const orderId = newOrderId();
    const result = await ctx.tx(async (session) => {
      const now = ctx.clock.now();
      // The one write that can be refused comes first: cap, state, deadline and "not yet a member"
      // are checked by the same atomic update, so concurrent joins can never pass `max`.
      const group = await Group.findOneAndUpdate(
        {
          _id: code,
          state: "open",
          expiresAt: { $gt: now },
          memberCount: { $lt: seen.max },
          "members.userKey": { $ne: userKey },
        },
        { $inc: { memberCount: 1 }, $push: { members: { userKey, orderId, joinedAt: now } } },
        { session, returnDocument: "after" },
      ).lean<GroupDoc>();
      if (!group) {
        const current = await Group.findById(code)
          .session(session ?? null)
          .lean<GroupDoc>();
        throw (current && joinRefusal(current, userKey, now)) ?? unknownGroup(codeInput);
      }
      let order: OrderDoc;
      try {
        order = await deps.orders.placeOrder(session, { userKey, sku, qty, groupCode: code, orderId });
      } catch (error) {
        // Without a transaction (standalone server) undo the membership by hand.
        if (!session) {
          await Group.updateOne(
            { _id: code, "members.orderId": orderId },
            { $inc: { memberCount: -1 }, $pull: { members: { orderId } } },
          );
        }
        throw error;
      }
      const completed = Boolean(await deps.settlement.completeIfFull(session, group));
      return { order, group, completed };
    });
    ctx.kickOutbox();
    return {
      order: result.order,
      code,
      memberCount: result.group.memberCount,
      size: result.group.size,
      max: result.group.max,
      completed: result.completed,
      expiresAt: result.group.expiresAt,
    };
  };
}
