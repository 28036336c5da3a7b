import type { Tier } from "../../models";

/** The tier reached with `members` members: the one with the most members not above it. */
export function reachedTier(tiers: Tier[], members: number): Tier | undefined {
  let reached: Tier | undefined;
  for (const tier of tiers)
    if (tier.members <= members && (!reached || tier.members > reached.members)) reached = tier;
  return reached;
}

/** The next tier to reach, if any. */
export function nextTier(tiers: Tier[], members: number): Tier | undefined {
  let next: Tier | undefined;
  for (const tier of tiers) if (tier.members > members && (!next || tier.members < next.members)) next = tier;
  return next;
}

export interface Discount {
  tierPercentOff: number;
  /** floor(orderTotal × percentOff / 100), in minor units: never pays back more than the tier says. */
  tierAmount: number;
  region: string | null;
  regionRebate: number;
  total: number;
}

/**
 * What one member gets back when the group completes: the percentage of the tier reached at the final member
 * count applied to the member's own order total, plus the rebate of the member's shipping region.
 */
export function memberDiscount(input: {
  tiers: Tier[];
  finalMembers: number;
  orderTotal: number;
  region: string | null;
  regionRebates: Record<string, number>;
}): Discount {
  const tier = reachedTier(input.tiers, input.finalMembers);
  const tierPercentOff = tier?.percentOff ?? 0;
  const tierAmount = Math.floor((input.orderTotal * tierPercentOff) / 100);
  const regionRebate = input.region ? (input.regionRebates[input.region] ?? 0) : 0;
  return {
    tierPercentOff,
    tierAmount,
    region: input.region,
    regionRebate,
    total: tierAmount + regionRebate,
  };
}

/** A price after `percentOff`, rounded to the nearest minor unit. */
export function discounted(minor: number, percentOff: number): number {
  return Math.round((minor * (100 - percentOff)) / 100);
}
