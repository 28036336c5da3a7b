import { driverCollection, type GroupDoc, type OrderDoc, type ProductDoc } from "../../../models";
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
  /** The chat event asking (`platform:eventId`): asking again with it answers the first join again. */
  eventKey?: string;
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
  /** True when this event had already joined (a retry): nothing was written now. */
  replayed?: boolean;
}

/** What never changes about a group once it is open: enough to place an order in it. */
type GroupFacts = Pick<GroupDoc, "_id" | "sku" | "size" | "max" | "expiresAt">;
/** Groups whose facts this process keeps (a few hundred bytes each). */
const REMEMBERED_GROUPS = 10_000;

export function createJoin(
  ctx: EngineContext,
  deps: {
    orders: Orders;
    settlement: Settlement;
    requireProduct: (sku: string) => Promise<ProductDoc>;
    /** The caller's shipping region, from memory when this process saw them lately. */
    regionOf: (userKey: string) => Promise<string | null>;
  },
) {
  const { Group, Order } = ctx.models;
  const lock = new KeyedLock();
  const groupReads = new SharedReads((code) => Group.findById(code).lean<GroupDoc>().exec());
  /**
   * Groups nobody can join any more, as last seen here. Being full, closed or past the deadline
   * never reverts, so a burst that arrives after a group filled is refused from memory instead of
   * queueing for the database one by one.
   */
  const closed = new Map<string, GroupDoc>();
  const noteIfClosed = (group: GroupDoc) => {
    // Not a group merely past its deadline: it still turns complete or failed, and says which.
    if (group.state !== "open" || group.memberCount >= group.max) {
      if (closed.size >= 1000) closed.clear();
      closed.set(group._id, group);
    }
  };
  const facts = new Map<string, GroupFacts>();
  const rememberFacts = (group: GroupFacts) => {
    if (facts.size >= REMEMBERED_GROUPS) facts.delete(facts.keys().next().value as string);
    facts.set(group._id, {
      _id: group._id,
      sku: group.sku,
      size: group.size,
      max: group.max,
      expiresAt: group.expiresAt,
    });
  };

  /**
   * The one atomic membership write: cap, state, deadline and "not yet a member" are checked by
   * the same conditional update, so concurrent joins can never take a group past `max`. The
   * member entry carries the chat event, so a retry recognises its own join.
   */
  function admit(
    session: Session,
    group: GroupFacts,
    member: { userKey: string; orderId: string; eventKey?: string | undefined },
    now: Date,
  ) {
    return driverCollection(Group).findOneAndUpdate(
      {
        _id: group._id,
        state: "open",
        expiresAt: { $gt: now },
        memberCount: { $lt: group.max },
        "members.userKey": { $ne: member.userKey },
      },
      {
        $inc: { memberCount: 1 },
        $push: { members: { ...member, eventKey: member.eventKey ?? null, joinedAt: now } },
      },
      { returnDocument: "after", ...(session ? { session } : {}) },
    );
  }

  /** The first answer to an event that already joined, or undefined when `group` shows no such join. */
  async function replay(group: GroupDoc, userKey: string, eventKey: string | undefined) {
    const member = group.members.find((m) => m.userKey === userKey);
    if (!eventKey || member?.eventKey !== eventKey) return undefined;
    const order = await Order.findById(member.orderId).lean<OrderDoc>();
    if (!order) return undefined;
    return { ...resultOf(group, order, false), replayed: true };
  }

  async function placeWithoutTransaction(
    code: string,
    input: Parameters<Orders["placeOrder"]>[1] & { orderId: string },
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

  /**
   * Why `code` refused `userKey`: a UserError, or (a retried event) its first answer wrapped in
   * `AlreadyJoined`. Thrown either way, so a transaction around the refused write rolls back.
   */
  async function refusal(
    code: string,
    codeInput: string,
    userKey: string,
    options: JoinOptions,
    session: Session,
  ): Promise<Error> {
    const current = await Group.findById(code)
      .session(session ?? null)
      .lean<GroupDoc>();
    if (!current) return unknownGroup(codeInput);
    noteIfClosed(current);
    const again = await replay(current, userKey, options.eventKey);
    if (again) return new AlreadyJoined(again);
    return joinRefusal(current, userKey, ctx.clock.now()) ?? unknownGroup(codeInput);
  }

  return {
    join,
    /** A group just opened here: its first joins need not read it. */
    remember: rememberFacts,
  };

  async function join(userKey: string, codeInput: string, options: JoinOptions = {}): Promise<JoinResult> {
    const code = normalizeGroupCode(codeInput);
    if (!code) throw unknownGroup(codeInput);
    const known = closed.get(code);
    if (known) {
      const again = await replay(known, userKey, options.eventKey);
      if (again) return again;
      throw joinRefusal(known, userKey, ctx.clock.now()) ?? unknownGroup(codeInput);
    }
    let group = facts.get(code);
    if (!group) {
      const first = await groupReads.get(code);
      if (!first) throw unknownGroup(codeInput);
      const again = await replay(first, userKey, options.eventKey);
      if (again) return again;
      const refused = joinRefusal(first, userKey, ctx.clock.now());
      if (refused) {
        noteIfClosed(first);
        throw refused;
      }
      rememberFacts(first);
      group = facts.get(code)!;
    }
    const qty = options.qty ?? 1;
    checkQty(qty);
    const product = await deps.requireProduct(options.sku ?? group.sku);
    const region = await deps.regionOf(userKey);
    const open = group;
    return lock.run(code, () => admitAndOrder(userKey, open, codeInput, { product, region, qty }, options));
  }

  async function admitAndOrder(
    userKey: string,
    group: GroupFacts,
    codeInput: string,
    what: { product: ProductDoc; region: string | null; qty: number },
    options: JoinOptions,
  ): Promise<JoinResult> {
    const code = group._id;
    // In turn: after a burst filled the group, the rest are refused without touching the database.
    const known = closed.get(code);
    if (known) {
      const again = await replay(known, userKey, options.eventKey);
      if (again) return again;
      throw joinRefusal(known, userKey, ctx.clock.now()) ?? unknownGroup(codeInput);
    }
    const orderId = newOrderId();
    const order = {
      userKey,
      sku: what.product._id,
      qty: what.qty,
      groupCode: code,
      orderId,
      known: { product: what.product, region: what.region },
      relayShipping: true,
    };
    const result = await ctx
      .tx(async (session) => {
        const now = ctx.clock.now();
        // In a transaction the order is written first and the contended group document last, so the
        // group stays locked for the shortest time; a refused membership aborts the order with it.
        // Without a transaction the refusable write must come first, and a failed order is undone.
        const placed = session ? await deps.orders.placeOrder(session, order) : undefined;
        const admitted = await admit(session, group, { userKey, orderId, eventKey: options.eventKey }, now);
        if (!admitted) throw await refusal(code, codeInput, userKey, options, session);
        const written = placed ?? (await placeWithoutTransaction(code, order));
        const completed = Boolean(await deps.settlement.completeIfFull(session, admitted));
        return { order: written, group: admitted, completed };
      })
      .catch((error: unknown) => {
        if (error instanceof AlreadyJoined) return error.answer;
        throw error;
      });
    if (!("group" in result)) return result;
    ctx.kickOutbox();
    noteIfClosed(result.group);
    return resultOf(result.group, result.order, result.completed);
  }
}

/** Not a failure: the event already joined, and this is its first answer. */
class AlreadyJoined extends Error {
  constructor(readonly answer: JoinResult) {
    super("already joined by this event");
  }
}

function resultOf(group: GroupDoc, order: OrderDoc, completed: boolean): JoinResult {
  return {
    order,
    code: group._id,
    memberCount: group.memberCount,
    size: group.size,
    max: group.max,
    completed,
    expiresAt: group.expiresAt,
  };
}
