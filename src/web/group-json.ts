import type { Platform } from "../kernel";
import { discounted, formatMoney, formatUtc } from "./format";
import { dealText, progressNote, progressText, stateNote } from "./group-page";
import { effectiveState, STATE_LABELS, summarise } from "./group-summary";
import type { GroupPageModel } from "./model";

/**
 * The group page's JSON twin (`Accept: application/json`), for integrations and for the page's own
 * live updates. Numbers stay numbers (minor units, ISO dates); `display` carries the same sentences
 * the HTML shows, so the page's script never re-implements them. It holds no clock reading, so an
 * unchanged group gives an identical body and the ETag lets a poll end in a bodiless 304.
 */
/** `labels`: each platform's name by id, for the members list the page redraws. */
export function groupJson(group: GroupPageModel, url: string, now: Date, labels: Record<Platform, string>) {
  const state = effectiveState(group, now);
  const summary = summarise(group);
  const { price, currency } = group.product;
  return {
    code: group.code,
    url,
    state,
    product: group.product,
    tiers: group.tiers.map((tier, index) => ({
      ...tier,
      price: discounted(price, tier.percentOff),
      reached: tier.members <= group.memberCount,
      current: index === summary.currentTier,
    })),
    memberCount: group.memberCount,
    target: group.target,
    cap: group.cap,
    expiresAt: group.expiresAt.toISOString(),
    percentOff: summary.percentOff,
    priceNow: summary.priceNow,
    organiser: group.organiser ?? null,
    members: group.members.map((m) => ({ displayName: m.displayName, platform: m.platform })),
    ...(group.you && {
      you: {
        displayName: group.you.displayName,
        joined: group.you.joined,
        joinedAt: group.you.joinedAt?.toISOString() ?? null,
        orders: group.you.orders,
      },
    }),
    display: {
      state: STATE_LABELS[state],
      stateNote: stateNote(group, state),
      deal: dealText(group, summary, state),
      progress: progressText(group),
      progressNote: progressNote(group, summary, state),
      listPrice: formatMoney(price, currency),
      expiresAt: formatUtc(group.expiresAt),
      platforms: labels,
    },
  };
}

export type GroupJson = ReturnType<typeof groupJson>;
