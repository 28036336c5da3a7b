import { driverCollection, type GroupDoc, type ProductDoc, type WaitlistEntry } from "../../../models";
import type { EngineContext, Session } from "../context";
import { userError } from "../errors";
import { KeyedLock } from "../keyed-lock";
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
import { entryOf, offeredOf, PLACES_TAKEN, waitingOf } from "./waiting";

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
    /** With payments on, the sibling's orders await their money like any join's. */
    payments?: Payments | undefined;
    offers: Offers;
  },
) {
  const paying = deps.payments?.on ? deps.payments : undefined;
  const { Group } = ctx.models;
  const queue = new KeyedLock();

  /**
   * Opens the sibling for `moving`, the first `size` waiting of `group`, and returns `group` as it
   * now stands; null when another writer took them first.
   */
  async function openSibling(session: Session, group: GroupDoc, moving: WaitlistEntry[]) {
    const now = ctx.clock.now();
    const code = newGroupCode();
    const movingEntries = new Set(moving);
    const waitlist = (group.waitlist ?? []).map((entry) =>
      movingEntries.has(entry) ? { ...entry, placedIn: code } : entry,
    );
    // Entries are only ever added, so the list's length names the version read: a second writer
    // that read the same list finds it changed and places nobody twice.
    const claimed = await Group.findOneAndUpdate(
      {
        _id: group._id,
        waitlist: { $size: group.waitlist?.length ?? 0 },
        // Nor did an offer or a lapse change any of them meanwhile.
        $and: moving.map((entry) => ({
          waitlist: {
            $elemMatch: { userKey: entry.userKey, placedIn: null, offeredUntil: null, lapsedAt: null },
          },
        })),
      },
      { $set: { waitlist, sibling: code } },
      { session, returnDocument: "after" },
    ).lean<GroupDoc>();
    if (!claimed) return null;
    const placed = await deps.orders.placeOrders(
      session,
      moving.map((entry) => ({
        userKey: entry.userKey,
        sku: entry.sku ?? group.sku,
        qty: entry.qty,
        groupCode: code,
        orderId: newOrderId(),
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
    const productName = (await deps.requireProduct(group.sku)).name;
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
    await deps.cards.changed(session, claimed);
    // At `size` = `max` the sibling is full on opening, and completes as a join would complete it.
    if (!(await deps.settlement.completeIfFull(session, sibling))) await deps.cards.changed(session, sibling);
    return claimed;
  }

  /** Where `userKey` stands on `group`'s waitlist, when they are on it. */
  async function standing(
    session: Session,
    group: GroupDoc,
    userKey: string,
  ): Promise<WaitlistAnswer | undefined> {
    const entry = entryOf(group, userKey);
    // Lapsed, or placed here through an offer and gone since: no longer on the list.
    if (!entry || entry.lapsedAt || entry.placedIn === group._id) return undefined;
    if (entry.placedIn) {
      const sibling = await Group.findById(entry.placedIn, { invites: 1 })
        .session(session ?? null)
        .lean<Pick<GroupDoc, "invites">>();
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

  return {
    /**
     * `/join` on a group that refused it as complete: one offered a freed place takes it; on a full
     * group before its deadline anyone else is queued (once: asking again says where they stand);
     * any other is refused as before.
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
      // One at a time per group here, as joins are batched: a burst of latecomers would otherwise
      // be a storm of transaction conflicts on the one group document.
      const answer = await queue.run(code, () =>
        ctx.tx(async (session) => {
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
          const entry: WaitlistEntry = {
            userKey,
            sku,
            qty,
            at: now,
            placedIn: null,
            offeredUntil: null,
            lapsedAt: null,
          };
          const after = await Group.findOneAndUpdate(
            {
              _id: code,
              // Full: complete at its cap, or still open at it (a moment before its completion is
              // written), counting the places held for those offered one.
              state: { $in: ["open", "complete"] },
              expiresAt: { $gt: now },
              $expr: { $gte: [PLACES_TAKEN, "$max"] },
              "members.userKey": { $ne: userKey },
              // On the list already (a lapsed entry, or one that took a place here and left, does not count).
              $nor: [{ waitlist: { $elemMatch: { userKey, lapsedAt: null, placedIn: { $ne: code } } } }],
            },
            { $push: { waitlist: entry } },
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
            waiting.length >= after.size
              ? await openSibling(session, after, waiting.slice(0, after.size))
              : null;
          if (!opened) await deps.cards.changed(session, after);
          return (await standing(session, opened ?? after, userKey))!;
        }),
      );
      ctx.kickOutbox();
      // A place taken through an offer: its reply carries the checkout, as a join's does.
      if (paying && !("waitlisted" in answer))
        return { ...answer, payUrl: await paying.checkoutLink(answer.order) };
      return answer;
    },
  };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
