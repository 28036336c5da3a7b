import type { GroupDoc, WaitlistEntry } from "../../../models";

/**
 * Those of a group's waitlist still waiting for a place, in order: not placed (in a sibling group
 * or this one), not holding an offer, not lapsed.
 */
export function waitingOf(group: Pick<GroupDoc, "waitlist">): WaitlistEntry[] {
  return (group.waitlist ?? []).filter((entry) => isLive(entry) && !entry.offeredUntil);
}

/** Those holding an offer of a freed place (not yet taken, not lapsed), in order. */
export function offeredOf(group: Pick<GroupDoc, "waitlist">): WaitlistEntry[] {
  return (group.waitlist ?? []).filter((entry) => isLive(entry) && entry.offeredUntil);
}

/** An entry neither placed nor lapsed. */
function isLive(entry: WaitlistEntry): boolean {
  return entry.placedIn === null && !entry.lapsedAt;
}

/** A pending offer in a query's `$elemMatch` (the same test as `offeredOf`). */
export const PENDING_OFFER = { placedIn: null, lapsedAt: null, offeredUntil: { $ne: null } };

/** `userKey`'s latest entry on the waitlist (an earlier one lapsed), if any. */
export function entryOf(group: Pick<GroupDoc, "waitlist">, userKey: string): WaitlistEntry | undefined {
  return (group.waitlist ?? []).findLast((entry) => entry.userKey === userKey);
}

/** Places taken or held: members and pending offers, counted together against `max`. */
export function placesTaken(group: Pick<GroupDoc, "memberCount" | "offered">): number {
  return group.memberCount + (group.offered ?? 0);
}

/** The same count in a query: `{ $expr: … }` parts compare it with the cap. */
export const PLACES_TAKEN = { $add: ["$memberCount", { $ifNull: ["$offered", 0] }] };
