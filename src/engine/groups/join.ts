import { driverCollection, type GroupDoc, type OrderDoc, type ProductDoc } from "../../../models";
import type { EngineContext, Session } from "../context";
import { KeyedBatches } from "../keyed-batches";
import { checkQty, newOrderId, type Orders, type PlaceOrderInput } from "../orders";
import type { Payments } from "../payments";
import { SharedReads } from "../shared-reads";
import { normalizeGroupCode } from "./code";
import { joinRefusal, unknownGroup } from "./errors";
import type { Settlement } from "./settle";
import { PENDING_OFFER, PLACES_TAKEN, placesTaken } from "./waiting";

export interface JoinOptions {
  /** Another catalog product than the group's: a member may order any product in a group. */
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
  /** With payments on: where the member pays to keep the place (null: the link comes by DM). */
  payUrl?: string | null;
}

/** What never changes about a group once it is open: enough to place an order in it. */
type GroupFacts = Pick<GroupDoc, "_id" | "sku" | "size" | "max" | "expiresAt">;
/** One `/join` waiting for its group's next write. */
interface Joiner {
  userKey: string;
  group: GroupFacts;
  codeInput: string;
  what: { product: ProductDoc; region: string | null; qty: number };
  options: JoinOptions;
  resolve(result: JoinResult): void;
  reject(error: unknown): void;
}

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
    payments?: Payments | undefined;
  },
) {
  const { Group, Order } = ctx.models;
  const joiners = new KeyedBatches<Joiner>((_code, batch) => joinBatch(batch));
  const groupReads = new SharedReads((code) => Group.findById(code).lean<GroupDoc>().exec());
  /**
   * Groups nobody can join any more, as last seen here. Being closed never reverts, nor (without
   * payments) being full, so a burst that arrives after a group filled is refused from memory
   * instead of queueing for the database one by one. With payments a full group may still free a
   * place (a leave, an unpaid place given back), so only its close is remembered.
   */
  const closed = new Map<string, GroupDoc>();
  const noteIfClosed = (group: GroupDoc) => {
    // Not a group merely past its deadline: it still turns complete or failed, and says which.
    if (group.state !== "open" || (!deps.payments?.on && placesTaken(group) >= group.max)) {
      if (closed.size >= 1000) closed.clear();
      closed.set(group._id, group);
    }
  };
  const facts = new Map<string, GroupFacts>();
  /** Members of each group after the last write made here: how many of a batch it can still take. */
  const admittedCount = new Map<string, number>();
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
   * The one atomic membership write: cap, state, deadline and "none of them yet a member" are
   * checked by the same conditional update, so concurrent joins can never take a group past `max`.
   * Each member entry carries its chat event, so a retry recognises its own join. Only the entries
   * written here come back: the whole member list would travel (and be encoded and decoded) on
   * every join, growing with the group.
   */
  function admit(
    session: Session,
    group: GroupFacts,
    members: { userKey: string; orderId: string; eventKey?: string | undefined }[],
    now: Date,
  ) {
    return driverCollection(Group).findOneAndUpdate(
      {
        _id: group._id,
        state: "open",
        expiresAt: { $gt: now },
        // Places held for the waitlist count as taken; whoever holds one takes it through the waitlist.
        $expr: { $lte: [PLACES_TAKEN, group.max - members.length] },
        "members.userKey": { $nin: members.map((m) => m.userKey) },
        $nor: [
          {
            waitlist: {
              $elemMatch: { ...PENDING_OFFER, userKey: { $in: members.map((m) => m.userKey) } },
            },
          },
        ],
      },
      {
        $inc: { memberCount: members.length },
        $push: {
          members: { $each: members.map((m) => ({ ...m, eventKey: m.eventKey ?? null, joinedAt: now })) },
        },
      },
      {
        returnDocument: "after",
        projection: { members: { $slice: -members.length } },
        ...(session ? { session } : {}),
      },
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
    inputs: (PlaceOrderInput & { orderId: string })[],
  ): Promise<OrderDoc[]> {
    try {
      return await deps.orders.placeOrders(undefined, inputs);
    } catch (error) {
      const orderIds = inputs.map((input) => input.orderId);
      await Group.updateOne(
        { _id: code, "members.orderId": { $in: orderIds } },
        { $inc: { memberCount: -inputs.length }, $pull: { members: { orderId: { $in: orderIds } } } },
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
    const joined = new Promise<JoinResult>((resolve, reject) =>
      joiners.add(code, {
        userKey,
        group: open,
        codeInput,
        what: { product, region, qty },
        options,
        resolve,
        reject,
      }),
    );
    return deps.payments?.on ? withPayLink(await joined) : joined;
  }

  /** With payments on, the join's answer carries the checkout that keeps the place. */
  async function withPayLink(result: JoinResult): Promise<JoinResult> {
    return { ...result, payUrl: await deps.payments!.checkoutLink(result.order) };
  }

  /**
   * The joins that queued for one group while its last write ran: admitted together in one
   * transaction when there is room for all of them, else one by one, each told its own outcome.
   */
  async function joinBatch(batch: Joiner[]): Promise<void> {
    const group = batch[0]!.group;
    const seen = new Set<string>();
    // As many as there were places left at the last write seen here: a burst larger than the
    // group fills it in one write, and the rest are then refused from memory.
    const room = group.max - (admittedCount.get(group._id) ?? 0);
    const together = batch.filter((j) => !seen.has(j.userKey) && seen.add(j.userKey)).slice(0, room);
    let alone = batch;
    if (together.length > 1 && !closed.has(group._id)) {
      try {
        const results = await admitAndOrder(together);
        for (const [i, joiner] of together.entries()) joiner.resolve(results[i]!);
        alone = batch.filter((joiner) => !together.includes(joiner));
      } catch (error) {
        if (!(error instanceof NoRoomForAll)) {
          for (const joiner of batch) joiner.reject(error);
          return;
        }
      }
    }
    for (const joiner of alone) {
      await admitAndOrder([joiner]).then(
        ([result]) => joiner.resolve(result!),
        (error: unknown) => joiner.reject(error),
      );
    }
  }

  /** Admits `joiners` (all to one group) and writes their orders, all or none; one result each, in order. */
  async function admitAndOrder(joiners: Joiner[]): Promise<JoinResult[]> {
    const group = joiners[0]!.group;
    const code = group._id;
    // In turn: after a burst filled the group, the rest are refused without touching the database.
    const known = closed.get(code);
    const single = joiners.length === 1 ? joiners[0]! : undefined;
    if (known && single) {
      const again = await replay(known, single.userKey, single.options.eventKey);
      if (again) return [again];
      throw joinRefusal(known, single.userKey, ctx.clock.now()) ?? unknownGroup(single.codeInput);
    }
    const orders: (PlaceOrderInput & { orderId: string })[] = joiners.map((joiner) => ({
      userKey: joiner.userKey,
      sku: joiner.what.product._id,
      qty: joiner.what.qty,
      groupCode: code,
      orderId: newOrderId(),
      known: { product: joiner.what.product, region: joiner.what.region },
      relayShipping: true,
      ...(deps.payments?.on ? { payment: deps.payments.awaiting("manual") } : {}),
    }));
    const members = joiners.map((joiner, i) => ({
      userKey: joiner.userKey,
      orderId: orders[i]!.orderId,
      eventKey: joiner.options.eventKey,
    }));
    const result = await ctx
      .tx(async (session) => {
        const now = ctx.clock.now();
        // In a transaction the orders are written first and the contended group document last, so
        // the group stays locked for the shortest time; a refused membership aborts the orders with
        // it. Without a transaction the refusable write must come first, and failed orders are undone.
        const placed = session ? await deps.orders.placeOrders(session, orders) : undefined;
        const admitted = await admit(session, group, members, now);
        if (!admitted) {
          if (!single) throw new NoRoomForAll();
          throw await refusal(code, single.codeInput, single.userKey, single.options, session);
        }
        const written = placed ?? (await placeWithoutTransaction(code, orders));
        if (deps.payments?.on) await deps.payments.queueCheckouts(session, written);
        // The completed group comes back whole: what later joins and retries are answered from.
        const completed = await deps.settlement.completeIfFull(session, admitted);
        return { orders: written, group: admitted, completed };
      })
      .catch((error: unknown) => {
        if (error instanceof AlreadyJoined) return error.answer;
        throw error;
      });
    if (!("group" in result)) return [result];
    ctx.kickOutbox();
    // A closed group answers later joins and retries from memory, which needs all its members:
    // the membership write returned only its own entries, so only the whole completed group is
    // kept (another writer closing it first is rare, and its refusals then read the group).
    if (result.completed) noteIfClosed(result.completed);
    if (admittedCount.size >= REMEMBERED_GROUPS) admittedCount.clear();
    admittedCount.set(code, result.group.memberCount);
    // Each is answered as if it had joined alone, in turn: its own count, and only the last completes.
    const last = joiners.length - 1;
    return result.orders.map((order, i) =>
      resultOf(
        { ...result.group, memberCount: result.group.memberCount - (last - i) },
        order,
        Boolean(result.completed) && i === last,
      ),
    );
  }
}

/** A batch of joins found less room than it needed: they are tried again one by one. */
class NoRoomForAll extends Error {
  constructor() {
    super("not enough room for every join of the batch");
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
