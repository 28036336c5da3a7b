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
import type { JoinOptions } from "./join";
import { personalUrl, siblingDm, siblingOrganiserDm } from "./messages";
import type { Settlement } from "./settle";
import { waitingOf } from "./waiting";

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
 * and every DM are one transaction.
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
    const movingKeys = new Set(moving.map((entry) => entry.userKey));
    const waitlist = (group.waitlist ?? []).map((entry) =>
      movingKeys.has(entry.userKey) ? { ...entry, placedIn: code } : entry,
    );
    // Entries are only ever added, so the list's length names the version read: a second writer
    // that read the same list finds it changed and places nobody twice.
    const claimed = await Group.findOneAndUpdate(
      { _id: group._id, waitlist: { $size: group.waitlist?.length ?? 0 } },
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
    const entry = group.waitlist?.find((e) => e.userKey === userKey);
    if (!entry) return undefined;
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

  return {
    /**
     * `/join` on a group that refused it as complete: a full group before its deadline queues the
     * caller (once: asking again says where they stand); any other is refused as before.
     */
    async add(userKey: string, codeInput: string, options: JoinOptions = {}): Promise<WaitlistAnswer> {
      const code = normalizeGroupCode(codeInput);
      if (!code) throw unknownGroup(codeInput);
      const qty = checkQty(options.qty ?? 1);
      const sku = options.sku === undefined ? null : (await deps.requireProduct(options.sku)).sku;
      // One at a time per group here, as joins are batched: a burst of latecomers would otherwise
      // be a storm of transaction conflicts on the one group document.
      const answer = await queue.run(code, () =>
        ctx.tx(async (session) => {
          const now = ctx.clock.now();
          const entry: WaitlistEntry = {
            userKey,
            sku,
            qty,
            at: now,
            placedIn: null,
          };
          const after = await Group.findOneAndUpdate(
            {
              _id: code,
              // Full: complete at its cap, or still open at it (a moment before its completion is written).
              state: { $in: ["open", "complete"] },
              expiresAt: { $gt: now },
              $expr: { $gte: ["$memberCount", "$max"] },
              "members.userKey": { $ne: userKey },
              "waitlist.userKey": { $ne: userKey },
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
      return answer;
    },
  };
}

export type Waitlist = ReturnType<typeof createWaitlist>;
