import { discounted } from "../engine/discount";
import type { GroupPageModel, GroupPageState } from "./model";

/** Figures derived from a group, shared by the HTML page and its JSON twin so both always agree. */
export interface GroupSummary {
  /** Index into `tiers` of the highest tier reached, or -1. */
  currentTier: number;
  /** The next tier up, if any. */
  nextTier: { members: number; percentOff: number; membersMissing: number } | undefined;
  percentOff: number;
  /** List price minus the reached tier's discount, in minor units. */
  priceNow: number;
  /** Members still needed to reach the target (0 when reached). */
  missingForTarget: number;
  /** Places left before the cap. */
  placesLeft: number;
}

export function summarise(group: GroupPageModel): GroupSummary {
  let currentTier = -1;
  group.tiers.forEach((tier, index) => {
    if (tier.members <= group.memberCount) currentTier = index;
  });
  const next = group.tiers.find((tier) => tier.members > group.memberCount);
  const percentOff = group.tiers[currentTier]?.percentOff ?? 0;
  return {
    currentTier,
    nextTier: next && { ...next, membersMissing: next.members - group.memberCount },
    percentOff,
    priceNow: discounted(group.product.price, percentOff),
    missingForTarget: Math.max(0, group.target - group.memberCount),
    placesLeft: Math.max(0, group.cap - group.memberCount),
  };
}

/** An open group past its deadline that the engine's sweeper has not closed yet reads as expired. */
export function effectiveState(group: GroupPageModel, now: Date): GroupPageState {
  if (group.state === "open" && group.expiresAt.getTime() <= now.getTime()) return "expired";
  return group.state;
}

export const STATE_LABELS: Record<GroupPageState, string> = {
  open: "Open",
  completed: "Completed",
  failed: "Did not go ahead",
  expired: "Expired",
};
