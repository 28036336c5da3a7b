import type { GroupDoc, ProductDoc } from "../../../models";
import type { EngineContext } from "../context";
import { type UserError, userError } from "../errors";
import type { Orders } from "../orders";
import { isUnavailable } from "../unavailable";
import type { StatusCards } from "./card";
import { normalizeGroupCode } from "./code";
import { unknownGroup } from "./errors";
import type { Offers } from "./offers";
import { LIMITS } from "./open";
import type { Settlement } from "./settle";

/** What `/leave` did. */
export interface LeaveResult {
  code: string;
  orderId: string;
  /** Members left in the group. */
  memberCount: number;
  size: number;
  max: number;
  expiresAt: Date;
}

/** An organiser action of `/group <code> …`. */
export type GroupAction =
  | { action: "close" }
  | { action: "extend"; byMs: number }
  | { action: "cancel"; reason?: string }
  | { action: "remind" };

/**
 * The caller's standing beyond being the organiser: where they typed the command
 * (`<platform>:<space>`) and how to ask that platform whether they administer it. Absent where
 * the platform has no admins.
 */
export interface CallerRights {
  space?: string;
  /** Asks the platform (cached briefly by the adapter); throws when the platform could not say. */
  isAdmin?: () => Promise<boolean>;
}

/** What an organiser action did. */
export interface GroupActionResult {
  code: string;
  action: GroupAction["action"];
  state: GroupDoc["state"];
  memberCount: number;
  size: number;
  expiresAt: Date;
  /** remind: tagged members who have not joined, and how many of them were DMed now. */
  waiting?: number;
  reminded?: number;
}

export function createManage(
  ctx: EngineContext,
  deps: {
    orders: Orders;
    settlement: Settlement;
    /** The group's status card follows every change made here. */
    cards: StatusCards;
    /** A place freed by a leave goes to the first on the waitlist. */
    offers: Offers;
    remind: (group: GroupDoc, product: ProductDoc) => Promise<string[]>;
    /** With card holds, a group must close before the holds lapse. */
    maxHoldMs?: number | undefined;
  },
) {
  const { Group, Product } = ctx.models;

  /** The group `codeInput` names, or the refusal for a code that names none. */
  async function load(codeInput: string): Promise<GroupDoc> {
    const code = normalizeGroupCode(codeInput);
    const group = code ? await Group.findById(code).lean<GroupDoc>() : null;
    if (!group) throw unknownGroup(codeInput);
    return group;
  }

  /** Why an open-only change is refused now, or undefined while the group is open. */
  function notOpen(group: GroupDoc): UserError | undefined {
    const code = group._id;
    if (group.state !== "open") return userError("GROUP_NOT_OPEN", { code, state: group.state });
    if (group.expiresAt.getTime() <= ctx.clock.now().getTime())
      return userError("GROUP_EXPIRED", { code, at: group.expiresAt });
    return undefined;
  }

  /** The organiser, or an admin of the space the group was opened in; anyone else is refused. */
  async function authorize(group: GroupDoc, callerKey: string, rights: CallerRights, action: string) {
    if (callerKey === group.organiserKey) return;
    if (group.openedIn && rights.space === group.openedIn && rights.isAdmin) {
      let admin: boolean;
      try {
        admin = await rights.isAdmin();
      } catch (error) {
        ctx.log.warn(
          { err: error, groupCode: group._id, unavailable: isUnavailable(error) },
          "could not ask the platform about an admin",
        );
        throw userError("ADMIN_CHECK_FAILED");
      }
      if (admin) return;
    }
    throw userError("NOT_GROUP_ADMIN", { code: group._id, action });
  }

  /** The answer to a write that found the group changed under it: why it is refused now. */
  async function refusedNow(code: string, fallback: (current: GroupDoc) => UserError): Promise<UserError> {
    const current = await Group.findById(code).lean<GroupDoc>();
    if (!current) return unknownGroup(code);
    return notOpen(current) ?? fallback(current);
  }

  /** A completed group cancelled (payments on: its money is refunded); refused as before otherwise. */
  async function cancelCompleted(group: GroupDoc, reason: string | undefined): Promise<GroupActionResult> {
    const cancelled = await ctx.tx((session) =>
      deps.settlement.cancelCompleted(session, group._id, reason?.trim() ?? ""),
    );
    if (!cancelled) throw notOpen(group) ?? userError("GROUP_CHANGED", { code: group._id, action: "cancel" });
    ctx.kickOutbox();
    return resultOf(cancelled, "cancel");
  }

  function resultOf(group: GroupDoc, action: GroupAction["action"]): GroupActionResult {
    return {
      code: group._id,
      action,
      state: group.state,
      memberCount: group.memberCount,
      size: group.size,
      expiresAt: group.expiresAt,
    };
  }

  return {
    /**
     * `/leave`: the member's place and order go together. The membership write is conditional
     * (open, not past the deadline, still a member), so a leave racing completion, expiry or a
     * second leave takes effect at most once; the order's cancellation is queued with it.
     */
    async leave(userKey: string, codeInput: string): Promise<LeaveResult> {
      const code = normalizeGroupCode(codeInput);
      if (!code) throw unknownGroup(codeInput);
      const result = await ctx.tx(async (session) => {
        const before = await Group.findOneAndUpdate(
          { _id: code, state: "open", expiresAt: { $gt: ctx.clock.now() }, "members.userKey": userKey },
          { $inc: { memberCount: -1 }, $pull: { members: { userKey } } },
          { session, returnDocument: "before" },
        ).lean<GroupDoc>();
        if (!before) {
          const current = await Group.findById(code)
            .session(session ?? null)
            .lean<GroupDoc>();
          if (!current) throw unknownGroup(codeInput);
          throw notOpen(current) ?? userError("NOT_A_MEMBER", { code });
        }
        const member = before.members.find((m) => m.userKey === userKey)!;
        const order = await deps.orders.cancelOrder(session, member.orderId);
        // A member whose money was in place counted toward completion: no longer.
        const wasPaid = order?.payment?.state === "authorized";
        if (wasPaid) await Group.updateOne({ _id: code }, { $inc: { paidCount: -1 } }, { session });
        // The freed place is offered to the waitlist, and the card shows the group as it is now.
        const members = before.members.filter((m) => m.userKey !== userKey);
        await deps.offers.offerFreed(session, {
          ...before,
          members,
          memberCount: before.memberCount - 1,
          ...(wasPaid ? { paidCount: (before.paidCount ?? 1) - 1 } : {}),
        });
        return {
          code,
          orderId: member.orderId,
          memberCount: before.memberCount - 1,
          size: before.size,
          max: before.max,
          expiresAt: before.expiresAt,
        };
      });
      ctx.kickOutbox();
      return result;
    },

    /** `/group <code> close|extend|cancel|remind` by `callerKey`. */
    async act(
      callerKey: string,
      codeInput: string,
      request: GroupAction,
      rights: CallerRights = {},
    ): Promise<GroupActionResult> {
      const group = await load(codeInput);
      const code = group._id;
      await authorize(group, callerKey, rights, request.action);
      if (request.action === "cancel" && group.state === "complete")
        return cancelCompleted(group, request.reason);
      const refused = notOpen(group);
      if (refused) throw refused;
      const live = { _id: code, expiresAt: { $gt: ctx.clock.now() } };
      switch (request.action) {
        case "close": {
          // With payments on, only members whose money is in place count.
          const counted = deps.settlement.counted;
          const missing = (now: GroupDoc) =>
            userError("MEMBERS_MISSING", { code, missing: now.size - (now[counted] ?? 0), size: now.size });
          if ((group[counted] ?? 0) < group.size) throw missing(group);
          const closed = await ctx.tx(async (session) => {
            const done = await deps.settlement.close(
              session,
              { ...live, [counted]: { $gte: group.size } },
              "complete",
            );
            if (done) await deps.settlement.settle(session, done);
            return done;
          });
          // A leave or the deadline got there first.
          if (!closed) throw await refusedNow(code, missing);
          ctx.kickOutbox();
          return resultOf(closed, "close");
        }
        case "extend": {
          const latest = new Date(group.createdAt.getTime() + LIMITS.maxExpiresMs);
          const expiresAt = new Date(group.expiresAt.getTime() + request.byMs);
          if (expiresAt > latest) throw userError("EXTEND_TOO_FAR", { code, latest });
          if (
            deps.maxHoldMs !== undefined &&
            expiresAt.getTime() - group.createdAt.getTime() > deps.maxHoldMs
          ) {
            throw userError("HOLD_TOO_LONG");
          }
          // From the deadline read above: two extensions at once add up instead of one undoing the other.
          const moved = await ctx.tx(async (session) => {
            const after = await Group.findOneAndUpdate(
              { _id: code, state: "open", expiresAt: group.expiresAt },
              { $set: { expiresAt } },
              { session, returnDocument: "after" },
            ).lean<GroupDoc>();
            // The card's deadline moves with the group's, in the same write.
            if (after) await deps.cards.changed(session, after);
            return after;
          });
          if (moved) ctx.kickOutbox();
          if (!moved) {
            throw await refusedNow(code, () => userError("GROUP_CHANGED", { code, action: request.action }));
          }
          return resultOf(moved, "extend");
        }
        case "cancel": {
          const cancelReason = request.reason?.trim() ?? "";
          const cancelled = await ctx.tx(async (session) => {
            const done = await deps.settlement.close(session, { _id: code }, "failed", { cancelReason });
            if (done) await deps.settlement.settle(session, done);
            return done;
          });
          if (!cancelled) {
            throw await refusedNow(code, () => userError("GROUP_CHANGED", { code, action: "cancel" }));
          }
          ctx.kickOutbox();
          return resultOf(cancelled, "cancel");
        }
        case "remind": {
          const product = await Product.findById(group.sku.toUpperCase()).lean<ProductDoc>();
          const joined = new Set(group.members.map((m) => m.userKey));
          const waiting = group.invites.filter((invite) => !joined.has(invite.userKey)).length;
          const reminded = product ? (await deps.remind(group, product)).length : 0;
          return { ...resultOf(group, "remind"), waiting, reminded };
        }
      }
    },
  };
}

export type Manage = ReturnType<typeof createManage>;
