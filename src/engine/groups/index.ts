import type { GroupDoc } from "../../../models";
import type { Catalog } from "../catalog";
import type { EngineContext } from "../context";
import { isUserError } from "../errors";
import type { GuessLimit } from "../guess-limit";
import type { Orders } from "../orders";
import type { OutboxWriter } from "../outbox";
import type { Payments } from "../payments";
import type { Users } from "../users";
import { createStatusCards } from "./card";
import { createExport } from "./export";
import { createJoin, type JoinOptions } from "./join";
import { type CallerRights, createManage, type GroupAction } from "./manage";
import { createOffers } from "./offers";
import { createOpenGroup, LIMITS, type OpenGroupOptions } from "./open";
import { createPaidPlaces } from "./paid-places";
import { createReminders } from "./reminders";
import { createSettlement } from "./settle";
import { ExpirySweeper } from "./sweeper";
import { createView, type ViewOptions } from "./view";
import { createWaitlist } from "./waitlist";

export type { StatusCards } from "./card";
export { GROUP_CODE_LENGTH, newGroupCode, normalizeGroupCode } from "./code";
export type { ExportedOrder, GroupExport } from "./export";
export type { JoinOptions, JoinResult } from "./join";
export type { CallerRights, GroupAction, GroupActionResult, LeaveResult } from "./manage";
export { offeredLine } from "./messages";
export type { OpenedGroup, OpenGroupOptions } from "./open";
export { REMINDER_INTERVAL_MS } from "./reminders";
export type { GroupView, ViewOptions } from "./view";
export type { WaitlistAnswer } from "./waitlist";

export type Groups = ReturnType<typeof createGroups>;

/** Group purchases: open, join, leave, organiser actions, status/page view with reminders, completion, failure, expiry. */
export function createGroups(
  ctx: EngineContext,
  deps: {
    catalog: Catalog;
    users: Users;
    orders: Orders;
    outbox: OutboxWriter;
    groupTtlMs: number;
    /** WAITLIST_CONFIRM: how long one offered a freed place has to take it. */
    waitlistConfirmMs: number;
    sweepIntervalMs?: number;
    /** Unknown group codes count against the sender, like unknown session codes. */
    guesses: GuessLimit;
    /** SESSION_CODE_SECRET: seals the export link's token as it seals cart tokens. */
    codeSecret?: string;
    /** With payments on, joins await their money and completion captures it. */
    payments?: Payments;
  },
) {
  const lookup = <T>(sender: string | undefined, fn: () => Promise<T>) =>
    ctx.guard(() => deps.guesses.guard(sender, "UNKNOWN_GROUP", fn));
  const requireProduct = (sku: string) => deps.catalog.require(sku);
  const cards = createStatusCards(ctx, { outbox: deps.outbox, product: (sku) => deps.catalog.get(sku) });
  const maxHoldMs = deps.payments?.on ? LIMITS.maxHoldMs : undefined;
  const offers = createOffers(ctx, {
    outbox: deps.outbox,
    cards,
    confirmMs: deps.waitlistConfirmMs,
    product: (sku) => deps.catalog.get(sku),
  });
  const settlement = createSettlement(ctx, deps.orders, deps.outbox, cards, offers, deps.payments);
  // Each pass first gives back unpaid places, then lapses offers nobody took: both free places.
  const sweeper = new ExpirySweeper(ctx, settlement, deps.sweepIntervalMs, async () => {
    const givenBack = (await deps.payments?.sweep()) ?? 0;
    return givenBack + (await offers.lapseDue());
  });
  const open = createOpenGroup(ctx, {
    outbox: deps.outbox,
    cards,
    groupTtlMs: deps.groupTtlMs,
    requireProduct,
    users: deps.users.recentMany,
    maxHoldMs,
  });
  const joining = createJoin(ctx, {
    orders: deps.orders,
    settlement,
    requireProduct,
    regionOf: async (key) => (await deps.users.recentMany([key])).get(key)?.region ?? null,
    payments: deps.payments,
  });
  const waitlist = createWaitlist(ctx, {
    orders: deps.orders,
    settlement,
    cards,
    outbox: deps.outbox,
    requireProduct,
    regionsOf: async (keys) => {
      const users = await deps.users.recentMany(keys);
      return new Map(keys.map((key) => [key, users.get(key)?.region ?? null]));
    },
    payments: deps.payments,
    offers,
  });
  const remind = createReminders(ctx, deps.outbox);
  const closeIfExpired = async (group: GroupDoc) => {
    const closed = await ctx.tx((session) => settlement.closeExpired(session, group));
    if (closed) ctx.kickOutbox();
    return closed;
  };
  const view = createView(ctx, { closeIfExpired, remind });
  const exports = createExport(ctx, { codeSecret: deps.codeSecret, closeIfExpired });
  const manage = createManage(ctx, { orders: deps.orders, settlement, cards, offers, remind, maxHoldMs });

  return {
    /** `/groupbuy`: opens a group for `sku` and DMs every tagged member (user keys) a personal link. */
    open: (organiserKey: string, sku: string, options?: OpenGroupOptions) =>
      ctx.guard(async () => {
        const opened = await open(organiserKey, sku, options);
        const { size, max, expiresAt } = opened;
        joining.remember({ _id: opened.code, sku: opened.sku, size, max, expiresAt });
        return opened;
      }),
    /** `/join`: places the caller's order and makes them a member, atomically; `eventKey` in options. */
    join: (userKey: string, code: string, options?: JoinOptions) =>
      lookup(userKey, () => joining.join(userKey, code, options)),
    /**
     * `/join` as typed: a join, or on a full group a place on its waitlist (which may open a
     * sibling group for the waiting). The waitlist is only looked at once a join was refused.
     */
    joinOrWait: (userKey: string, code: string, options?: JoinOptions) =>
      lookup(userKey, async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await joining.join(userKey, code, options);
          } catch (error) {
            if (!(isUserError(error) && error.code === "GROUP_COMPLETE")) throw error;
          }
          try {
            return await waitlist.add(userKey, code, options);
          } catch (error) {
            // A place was freed (with nobody waiting for it) between the two looks: join again, once.
            if (attempt > 0 || !(isUserError(error) && error.code === "GROUP_CHANGED")) throw error;
          }
        }
      }),
    /** `/leave`: the caller's place and order in an open group go; the cancellation is queued. */
    leave: (userKey: string, code: string) => lookup(userKey, () => manage.leave(userKey, code)),
    /** `/group <code> close|extend|cancel|remind`: for the organiser and the admins of where it was opened. */
    act: (callerKey: string, code: string, request: GroupAction, rights?: CallerRights) =>
      lookup(callerKey, () => manage.act(callerKey, code, request, rights)),
    /** The page `/g/<code>` and `/group <code>`: status for anyone, details for the organiser; may send reminders. */
    view: (code: string, options?: ViewOptions & { sender?: string }) =>
      lookup(options?.sender ?? options?.viewerKey, () => view(code, options)),
    /** `/group <code>` as `viewerKey`; the organiser also gets the export link. */
    status: (code: string, viewerKey: string) =>
      lookup(viewerKey, async () => {
        const status = await view(code, { viewerKey });
        if (status.viewer.isOrganiser) status.exportUrl = await exports.link(status.code);
        return status;
      }),
    /** `GET /g/<code>/orders.csv?k=<token>`: a wrong or missing token is an unknown code, counted against `sender`. */
    exportOrders: (code: string, token: string | undefined, sender: string) =>
      lookup(sender, () => exports.orders(code, token)),
    /** One expiry pass (the sweeper runs it on a timer; tests call it after moving the clock). */
    sweep: () => ctx.guard(() => sweeper.sweep()),
    sweeper,
    /** Queues a group's status card after any change to it, inside the change's transaction. */
    cards,
    /** A member's money in place or their unpaid place given back (payments on). */
    paidPlaces: createPaidPlaces(ctx, settlement, offers),
  };
}
