import type { GroupDoc, OrderDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import { KeyedLock } from "../keyed-lock";
import { checkQty, newOrderId, type Orders } from "../orders";
import { SharedReads } from "../shared-reads";
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
  const lock = new KeyedLock();
  const groupReads = new SharedReads((code) => Group.findById(code).lean<GroupDoc>().exec());
  /**
   * Groups nobody can join any more, as last seen here. Being full, closed or past the deadline
   * never reverts, so a burst that arrives after a group filled is refused from memory instead of
   * queueing for the database one by one.
   */
  const closed = new Map<string, GroupDoc>();
  const noteIfClosed = (group: GroupDoc, now: Date) => {
    if (group.state !== "open" || group.memberCount >= group.max || group.expiresAt <= now) {
      if (closed.size >= 1000) closed.clear();
      closed.set(group._id, group);
    }
  };

  /**
   * The one atomic membership write: cap, state, deadline and "not yet a member" are checked by
   * the same conditional update, so concurrent joins can never take a group past `max`.
   */
  function admit(session: Session, code: string, max: number, userKey: string, orderId: string, now: Date) {
    return Group.findOneAndUpdate(
      {
        _id: code,
        state: "open",
        expiresAt: { $gt: now },
        memberCount: { $lt: max },
        "members.userKey": { $ne: userKey },
      },
      { $inc: { memberCount: 1 }, $push: { members: { userKey, orderId, joinedAt: now } } },
      { session, returnDocument: "after" },
    ).lean<GroupDoc>();
  }

  async function placeWithoutTransaction(
    code: string,
    input: { userKey: string; sku: string; qty: number; orderId: string },
  ): Promise<OrderDoc> {
    try {
      return await deps.orders.placeOrder(undefined, { ...input, groupCode: code });
    } catch (error) {
      await Group.updateOne(
        { _id: code, "members.orderId": input.orderId },
        { $inc: { memberCount: -1 }, $pull: { members: { orderId: input.orderId } } },
      );
      throw error;
    }
  }

  return async function join(
    userKey: string,
    codeInput: string,
    options: JoinOptions = {},
  ): Promise<JoinResult> {
    const code = normalizeGroupCode(codeInput);
    if (!code) throw unknownGroup(codeInput);
    const known = closed.get(code);
    if (known) throw joinRefusal(known, userKey, ctx.clock.now()) ?? unknownGroup(codeInput);
    const first = await groupReads.get(code);
    if (!first) throw unknownGroup(codeInput);
    const refused = joinRefusal(first, userKey, ctx.clock.now());
    if (refused) throw refused;
    const qty = options.qty ?? 1;
    checkQty(qty);
    const sku = options.sku ?? first.sku;
    await deps.requireProduct(sku);
    return lock.run(code, () => admitAndOrder(userKey, code, codeInput, sku, qty));
  };

  async function admitAndOrder(
    userKey: string,
    code: string,
    codeInput: string,
    sku: string,
    qty: number,
  ): Promise<JoinResult> {
    // In turn: after a burst filled the group, the rest are refused without touching the database.
    const known = closed.get(code);
    if (known) throw joinRefusal(known, userKey, ctx.clock.now()) ?? unknownGroup(codeInput);
    const seen = await Group.findById(code).lean<GroupDoc>();
    if (!seen) throw unknownGroup(codeInput);
    noteIfClosed(seen, ctx.clock.now());
    const early = joinRefusal(seen, userKey, ctx.clock.now());
    if (early) throw early;

    const orderId = newOrderId();
    const result = await ctx.tx(async (session) => {
      const now = ctx.clock.now();
      // In a transaction the order is written first and the contended group document last, so the
      // group stays locked for the shortest time; a refused membership aborts the order with it.
      // Without a transaction the refusable write must come first, and a failed order is undone.
      const order = session
        ? await deps.orders.placeOrder(session, { userKey, sku, qty, groupCode: code, orderId })
        : undefined;
      const group = await admit(session, code, seen.max, userKey, orderId, now);
      if (!group) {
        const current = await Group.findById(code)
          .session(session ?? null)
          .lean<GroupDoc>();
        throw (current && joinRefusal(current, userKey, now)) ?? unknownGroup(codeInput);
      }
      const placed = order ?? (await placeWithoutTransaction(code, { userKey, sku, qty, orderId }));
      const completed = Boolean(await deps.settlement.completeIfFull(session, group));
      return { order: placed, group, completed };
    });
    ctx.kickOutbox();
    noteIfClosed(result.group, ctx.clock.now());
    return {
      order: result.order,
      code,
      memberCount: result.group.memberCount,
      size: result.group.size,
      max: result.group.max,
      completed: result.completed,
      expiresAt: result.group.expiresAt,
    };
  }
}
