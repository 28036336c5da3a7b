import { driverCollection, type GroupDoc, type ProductDoc, type WaitlistEntry } from "../../../models";
import type { EngineContext, Session } from "../context";
import { userError } from "../errors";
import { KeyedBatches } from "../keyed-batches";
import { checkQty, newOrderId, type Orders } from "../orders";
import type { OutboxWriter } from "../outbox";
import type { Payments } from "../payments";
import type { StatusCards } from "./card";
import { newGroupCode, newMemberToken, normalizeGroupCode } from "./code";
import { joinRefusal, unknownGroup } from "./errors";
import type { JoinOptions, JoinResult } from "./join";
import { personalUrl, siblingDm, siblingOrganiserDm } from "./messages";
import type { Offers } from "./offers";
import type { Settlement } from "./settle";
import { entryOf, offeredOf, PLACES_TAKEN, placesTaken, waitingOf } from "./waiting";

/** What `/join` on a full group did: the caller waits, or a sibling group took them. */
export type WaitlistAnswer =
  | {
      waitlisted: "waiting";
      code: string;
      position: number;
      waiting: number;
      size: number;
      sibling: string | null;
    }
  | { waitlisted: "placed"; code: string; sibling: string; link: string };

/** One `/join` on a full group, waiting for its group's next waitlist write. */
interface Latecomer {
  userKey: string;
  codeInput: string;
  sku: string | null;
  qty: number;
  options: JoinOptions;
  resolve(answer: WaitlistAnswer | JoinResult): void;
  reject(error: unknown): void;
}

/** The waitlist changed under a batch between its read and its write: each is tried again alone. */
class ListChanged extends Error {
  constructor() {
    super("the waitlist changed under the batch");
  }
}

/**
 * A full group's waitlist: a group completes when it reaches `max`, and whoever asks to join it
 * after that (before its deadline) is queued. When `size` people wait, a sibling group opens for
 * them: same product, tiers, size, cap and organiser, a fresh deadline of the original length, and
 * each of them placed in it as if they had joined. The queueing, the sibling, its orders, its card
 * and every DM are one transaction. One offered a freed place in the group takes it here, by
 * `/join`: their order is placed as a join's.
 */
export function createWaitlist(
  ctx: EngineContext,
  deps: {
    orders: Orders;
    settlement: Settlement;
    cards: StatusCards;
    outbox: OutboxWriter;
    requireProduct: (sku: string) => Promise<ProductDoc>;
    /** Shipping regions, from memory for those this process saw lately. */
    regionsOf: (userKeys: string[]) => Promise<Map<string, string | null>>;
    /** With payments on, the sibling's orders await their money like any join's. */
    payments?: Payments | undefined;
    offers: Offers;
  },
) {
  const paying = deps.payments?.on ? deps.payments : undefined;
  const { Group } = ctx.models;
  // Batched per group, as joins are: a burst of latecomers is a few writes, not a queue of single
  // transactions each re-writing the ever longer list.
  const latecomers = new KeyedBatches<Latecomer>((code, batch) => addBatch(code, batch));

  /**
   * Opens the sibling for `moving`, the first `size` waiting of `group`, and returns `group` as it
   * now stands with the sibling; null when another writer took them first. The caller updates
   * `group`'s card, once however many siblings it opens.
   */
  async function openSibling(session: Session, group: GroupDoc, moving: WaitlistEntry[]) {
    const now = ctx.clock.now();
    const code = newGroupCode();
    const movingKeys = moving.map((entry) => entry.userKey);
    const written = await Group.findOneAndUpdate(
      {
        _id: group._id,
        // Entries are only ever added, so the list's length names the version read: a second writer
        // that read the same list finds it changed and places nobody twice.
        waitlist: { $size: group.waitlist?.length ?? 0 },
        // Nor did an offer or a lapse change any of them meanwhile.
        $and: moving.map((entry) => ({
          waitlist: {
            $elemMatch: { userKey: entry.userKey, placedIn: null, offeredUntil: null, lapsedAt: null },
          },
        })),
      },
      // Only the moving entries are written, not the whole list again.
      { $set: { "waitlist.$[moving].placedIn": code, sibling: code } },
      {
        session,
        returnDocument: "after",
        // The list comes back as known here (below), not whole over the wire.
        projection: { waitlist: 0 },
        arrayFilters: [
          {
            "moving.userKey": { $in: movingKeys },
            "moving.placedIn": null,
            "moving.offeredUntil": null,
            "moving.lapsedAt": null,
          },
        ],
      },
    ).lean<GroupDoc>();
    if (!written) return null;
    // The list was exactly the one read (its length and the moving entries were checked).
    const moved = new Set(moving);
    const waitlist = (group.waitlist ?? []).map((entry) =>
      moved.has(entry) ? { ...entry, placedIn: code } : entry,
    );
    const claimed: GroupDoc = { ...written, waitlist };
    // Each product and every region looked up once for all of them, not once an order.
    const products = new Map<string, ProductDoc>();
    for (const sku of new Set(moving.map((entry) => entry.sku ?? group.sku)))
      products.set(sku, await deps.requireProduct(sku));
    const regions = await deps.regionsOf(movingKeys);
    const placed = await deps.orders.placeOrders(
      session,
      moving.map((entry) => ({
        userKey: entry.userKey,
        sku: entry.sku ?? group.sku,
        qty: entry.qty,
        groupCode: code,
        orderId: newOrderId(),
        known: { product: products.get(entry.sku ?? group.sku)!, region: regions.get(entry.userKey) ?? null },
        relayShipping: true,
        ...(paying ? { payment: paying.awaiting("manual") } : {}),
      })),
    );
    // Nobody's reply carries these checkouts: the outbox opens them now and DMs each link.
    if (paying) await paying.queueCheckouts(session, placed, { now: true });
    const invites = moving.map((entry) => ({ userKey: entry.userKey, token: newMemberToken() }));
    const sibling: GroupDoc = {
      _id: code,
      sku: group.sku,
      organiserKey: group.organiserKey,
      size: group.size,
      max: group.max,
      expiresAt: new Date(now.getTime() + (group.expiresAt.getTime() - group.createdAt.getTime())),
      state: "open",
      memberCount: moving.length,
      members: moving.map((entry, i) => ({
        userKey: entry.userKey,
        orderId: placed[i]!._id,
        joinedAt: now,
        eventKey: null,
      })),
      invites,
      settled: true,
      createdAt: now,
      closedAt: null,
      openedBy: null,
      card: group.card
        ? { platform: group.card.platform, channelId: group.card.channelId, ref: null, lost: [] }
        : null,
      openedIn: group.openedIn ?? null,
      waitlist: [],
      sibling: null,
      origin: group._id,
    };
    await driverCollection(Group).insertOne(sibling, session ? { session } : {});
    const productName = (products.get(group.sku) ?? (await deps.requireProduct(group.sku))).name;
    await deps.outbox.dms(session, [
      ...invites.map((invite) => ({
        id: `sibling:${code}:${invite.userKey}`,
        to: invite.userKey,
        ...siblingDm({
          origin: group,
          sibling,
          productName,
          link: personalUrl(ctx.publicUrl, code, invite.token),
        }),
      })),
      {
        id: `sibling:${code}:${group.organiserKey}`,
        to: group.organiserKey,
        text: siblingOrganiserDm({ origin: group, sibling, productName }),
      },
    ]);
    // At `size` = `max` the sibling is full on opening, and completes as a join would complete it.
    if (!(await deps.settlement.completeIfFull(session, sibling))) await deps.cards.changed(session, sibling);
    return { group: claimed, sibling };
  }

  /**
   * Where `userKey` stands on `group`'s waitlist, when they are on it. `opened`: siblings this
   * transaction opened, whose invites need not be read back.
   */
  async function standing(
    session: Session,
    group: GroupDoc,
    userKey: string,
    opened?: ReadonlyMap<string, GroupDoc>,
  ): Promise<WaitlistAnswer | undefined> {
    const entry = entryOf(group, userKey);
    // Lapsed, or placed here through an offer and gone since: no longer on the list.
    if (!entry || entry.lapsedAt || entry.placedIn === group._id) return undefined;
    if (entry.placedIn) {
      const sibling =
        opened?.get(entry.placedIn) ??
        (await Group.findById(entry.placedIn, { invites: 1 })
          .session(session ?? null)
          .lean<Pick<GroupDoc, "invites">>());
      const token = sibling?.invites.find((invite) => invite.userKey === userKey)?.token;
      const link = token
        ? personalUrl(ctx.publicUrl, entry.placedIn, token)
        : `${ctx.publicUrl}/g/${entry.placedIn}`;
      return { waitlisted: "placed", code: group._id, sibling: entry.placedIn, link };
    }
    const waiting = waitingOf(group);
    return {
      waitlisted: "waiting",
      code: group._id,
      position: waiting.findIndex((e) => e.userKey === userKey) + 1,
      waiting: waiting.length,
      size: group.size,
      sibling: group.sibling ?? null,
    };
  }

  /**
   * `userKey` takes the place offered to them (`entry`): a member with their order placed as a
   * join's, off the waitlist, the held place no longer counted as held.
   */
  async function confirm(
    session: Session,
    group: GroupDoc,
    entry: WaitlistEntry,
    asked: { sku: string | null; qty: number | undefined; eventKey: string | undefined },
  ): Promise<JoinResult> {
    const now = ctx.clock.now();
    const { userKey } = entry;
    const code = group._id;
    const orderId = newOrderId();
    const offer = { userKey, placedIn: null, lapsedAt: null, offeredUntil: entry.offeredUntil };
    const after = await Group.findOneAndUpdate(
      {
        _id: code,
        state: "open",
        expiresAt: { $gt: now },
        "members.userKey": { $ne: userKey },
        waitlist: { $elemMatch: offer },
      },
      {
        $inc: { memberCount: 1, offered: -1 },
        $push: { members: { userKey, orderId, joinedAt: now, eventKey: asked.eventKey ?? null } },
        $set: { "waitlist.$[w].placedIn": code },
      },
      {
        session,
        returnDocument: "after",
        arrayFilters: [
          {
            "w.userKey": userKey,
            "w.placedIn": null,
            "w.lapsedAt": null,
            "w.offeredUntil": entry.offeredUntil,
          },
        ],
      },
    ).lean<GroupDoc>();
    if (!after) throw userError("GROUP_CHANGED", { code, action: "join" });
    const [order] = await deps.orders.placeOrders(session, [
      {
        userKey,
        sku: asked.sku ?? entry.sku ?? group.sku,
        qty: asked.qty ?? entry.qty,
        groupCode: code,
        orderId,
        relayShipping: true,
        ...(paying ? { payment: paying.awaiting("manual") } : {}),
      },
    ]);
    if (paying) await paying.queueCheckouts(session, [order!]);
    const completed = await deps.settlement.completeIfFull(session, after);
    if (!completed) await deps.cards.changed(session, after);
    return {
      order: order!,
      code,
      memberCount: after.memberCount,
      size: after.size,
      max: after.max,
      completed: Boolean(completed),
      expiresAt: after.expiresAt,
    };
  }

  /**
   * A group a latecomer may wait for: complete at its cap, or still open at it (a moment before
   * its completion is written), counting the places held for those offered one; before its deadline.
   */
  const FULL = (now: Date) => ({
    state: { $in: ["open", "complete"] as GroupDoc["state"][] },
    expiresAt: { $gt: now },
    $expr: { $gte: [PLACES_TAKEN, "$max"] },
  });
  const newEntry = (l: Pick<Latecomer, "userKey" | "sku" | "qty">, now: Date): WaitlistEntry => ({
    userKey: l.userKey,
    sku: l.sku,
    qty: l.qty,
    at: now,
    placedIn: null,
    offeredUntil: null,
    lapsedAt: null,
  });

  /** `entries` appended to the waitlist only if `group`'s list is still the one read. */
  async function appendIfUnchanged(
    session: Session,
    group: GroupDoc,
    entries: WaitlistEntry[],
    now: Date,
  ): Promise<GroupDoc | null> {
    const userKeys = entries.map((entry) => entry.userKey);
    const length = group.waitlist?.length ?? 0;
    const after = await Group.findOneAndUpdate(
      {
        _id: group._id,
        ...FULL(now),
        // Entries are only ever added, so the length names the list read: a writer in another
        // process that added meanwhile makes this write miss, and nobody is lost or listed twice.
        $and: [
          length === 0
            ? { $or: [{ waitlist: { $size: 0 } }, { waitlist: { $exists: false } }] }
            : { waitlist: { $size: length } },
        ],
        "members.userKey": { $nin: userKeys },
        $nor: [
          {
            waitlist: {
              $elemMatch: { userKey: { $in: userKeys }, lapsedAt: null, placedIn: { $ne: group._id } },
            },
          },
        ],
      },
      { $push: { waitlist: { $each: entries } } },
      // Only the entries written come back: the whole list would travel on every write.
      { session, returnDocument: "after", projection: { waitlist: { $slice: -entries.length } } },
    ).lean<GroupDoc>();
    return after && { ...after, waitlist: [...(group.waitlist ?? []), ...(after.waitlist ?? [])] };
  }

  /**
   * The latecomers of one batch who are plainly new to a full group: queued by one write, with as
   * many siblings opened as they fill and the card written once. Answers those it queued; anyone
   * else (offered a place, already listed or a member, or a group no longer full) is left for
   * `addAlone`, which says exactly why.
   */
  async function queueTogether(session: Session, code: string, batch: Latecomer[]) {
    const answers = new Map<Latecomer, WaitlistAnswer>();
    const now = ctx.clock.now();
    let group = await Group.findById(code)
      .session(session ?? null)
      .lean<GroupDoc>();
    if (!group) return answers;
    if (group.state === "open" && offeredOf(group).some((e) => e.offeredUntil! <= now))
      group = await deps.offers.lapse(session, group);
    const full =
      (group.state === "open" || group.state === "complete") &&
      group.expiresAt > now &&
      placesTaken(group) >= group.max;
    if (!full) return answers;
    const taken = new Set(group.members.map((member) => member.userKey));
    for (const entry of group.waitlist ?? [])
      if (!entry.lapsedAt && entry.placedIn !== code) taken.add(entry.userKey);
    const newcomers = batch.filter((l) => !taken.has(l.userKey) && taken.add(l.userKey));
    if (newcomers.length === 0) return answers;
    const entries = newcomers.map((l) => newEntry(l, now));
    let after: GroupDoc | null = await appendIfUnchanged(session, group, entries, now);
    if (!after) throw new ListChanged();
    const siblings = new Map<string, GroupDoc>();
    for (let waiting = waitingOf(after); waiting.length >= after.size; waiting = waitingOf(after)) {
      const opened = await openSibling(session, after, waiting.slice(0, after.size));
      if (!opened) break;
      after = opened.group;
      siblings.set(opened.sibling._id, opened.sibling);
    }
    await deps.cards.changed(session, after);
    for (const l of newcomers) answers.set(l, (await standing(session, after, l.userKey, siblings))!);
    return answers;
  }

  /** One batch of latecomers to `code`: together where they can be, then the rest one by one. */
  async function addBatch(code: string, batch: Latecomer[]): Promise<void> {
    let alone = batch;
    try {
      const answers = await ctx.tx((session) => queueTogether(session, code, batch));
      ctx.kickOutbox();
      for (const [latecomer, answer] of answers) latecomer.resolve(answer);
      alone = batch.filter((latecomer) => !answers.has(latecomer));
    } catch (error) {
      if (!(error instanceof ListChanged)) {
        for (const latecomer of batch) latecomer.reject(error);
        return;
      }
    }
    for (const latecomer of alone) await addAlone(code, latecomer).then(latecomer.resolve, latecomer.reject);
  }

  /**
   * One latecomer on their own: one offered a freed place takes it; on a full group before its
   * deadline anyone else is queued (once: asking again says where they stand); any other is
   * refused as before.
   */
  async function addAlone(code: string, latecomer: Latecomer): Promise<WaitlistAnswer | JoinResult> {
    const { userKey, codeInput, sku, options } = latecomer;
    const answer = await ctx.tx(async (session) => {
      const now = ctx.clock.now();
      let group = await Group.findById(code)
        .session(session ?? null)
        .lean<GroupDoc>();
      if (!group) throw unknownGroup(codeInput);
      // Offers that ran out lapse first: the place goes on, perhaps to this caller.
      if (group.state === "open" && offeredOf(group).some((e) => e.offeredUntil! <= now))
        group = await deps.offers.lapse(session, group);
      const mine = entryOf(group, userKey);
      if (mine && offeredOf(group).includes(mine)) {
        return confirm(session, group, mine, { sku, qty: options.qty, eventKey: options.eventKey });
      }
      const after = await Group.findOneAndUpdate(
        {
          _id: code,
          ...FULL(now),
          "members.userKey": { $ne: userKey },
          // On the list already (a lapsed entry, or one that took a place here and left, does not count).
          $nor: [{ waitlist: { $elemMatch: { userKey, lapsedAt: null, placedIn: { $ne: code } } } }],
        },
        { $push: { waitlist: newEntry(latecomer, now) } },
        { session, returnDocument: "after" },
      ).lean<GroupDoc>();
      if (!after) {
        const current = await Group.findById(code)
          .session(session ?? null)
          .lean<GroupDoc>();
        if (!current) throw unknownGroup(codeInput);
        const already = current.members.some((m) => m.userKey === userKey);
        const known = already ? undefined : await standing(session, current, userKey);
        if (known) return known;
        throw joinRefusal(current, userKey, now) ?? userError("GROUP_CHANGED", { code, action: "join" });
      }
      const waiting = waitingOf(after);
      const opened =
        waiting.length >= after.size ? await openSibling(session, after, waiting.slice(0, after.size)) : null;
      const latest = opened?.group ?? after;
      await deps.cards.changed(session, latest);
      return (await standing(
        session,
        latest,
        userKey,
        opened ? new Map([[opened.sibling._id, opened.sibling]]) : undefined,
      ))!;
    });
    ctx.kickOutbox();
    return answer;
  }

  return {
    /**
     * `/join` on a group that refused it as complete: queued with the other latecomers to the same
     * group (see `addBatch`); one offered a freed place takes it.
     */
    async add(
      userKey: string,
      codeInput: string,
      options: JoinOptions = {},
    ): Promise<WaitlistAnswer | JoinResult> {
      const code = normalizeGroupCode(codeInput);
      if (!code) throw unknownGroup(codeInput);
      const qty = checkQty(options.qty ?? 1);
      const sku = options.sku === undefined ? null : (await deps.requireProduct(options.sku)).sku;
      const answer = await new Promise<WaitlistAnswer | JoinResult>((resolve, reject) =>
        latecomers.add(code, { userKey, codeInput, sku, qty, options, resolve, reject }),
      );
      // A place taken through an offer: its reply carries the checkout, as a join's does.
      if (paying && !("waitlisted" in answer))
        return { ...answer, payUrl: await paying.checkoutLink(answer.order) };
      return answer;
    },
  };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
