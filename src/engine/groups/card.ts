import type { GroupCard, GroupDoc, ProductDoc } from "../../../models";
import { formatUtcDigits } from "../../format";
import type { Button } from "../../kernel";
import type { EngineContext, Session } from "../context";
import { nextTier, reachedTier } from "../discount";
import type { CardInput, OutboxWriter } from "../outbox";
import { groupUrl, offeredLine } from "./messages";
import { waitingOf } from "./waiting";

/** Cells of the members bar: enough to see progress, short enough for a phone's line. */
const BAR_CELLS = 20;

/**
 * Members against the cap, with a mark where the target is: `▓▓▓▓░░░░|░░░░` reads "4 joined, the
 * target at 8, room for 12". Cells are rounded down, so a full bar means the group is full.
 */
export function membersBar(members: number, size: number, max: number): string {
  const cells = (n: number) => Math.floor((Math.min(n, max) / max) * BAR_CELLS);
  const filled = cells(members);
  const target = cells(size);
  let bar = "";
  for (let i = 0; i < BAR_CELLS; i++) {
    if (i === target && size < max) bar += "|";
    bar += i < filled ? "▓" : "░";
  }
  return bar;
}

/** What the card says about the group's state: the count, and what is left to reach. */
function progressLine(group: GroupDoc): string {
  const count = `${group.memberCount} joined, ${group.size} needed`;
  const cap = group.max > group.size ? ` (closes at ${group.max})` : "";
  if (group.state === "complete") return `Complete with ${group.memberCount} members.`;
  if (group.state === "failed") return `Closed with ${count}: every order is cancelled.`;
  return `${count}${cap}, open until ${formatUtcDigits(group.expiresAt)}.`;
}

/** The tier the count has reached and, while the group is open, the next one within its cap. */
function tierLine(group: GroupDoc, product: Pick<ProductDoc, "tiers">): string {
  if (product.tiers.length === 0) return "No group discount tiers.";
  const reached = reachedTier(product.tiers, group.memberCount);
  const next = group.state === "open" ? nextTier(product.tiers, group.memberCount) : undefined;
  const line = reached ? `Tier reached: ${reached.percentOff}% off.` : "No tier reached yet.";
  if (!next || next.members > group.max) return line;
  const more = next.members - group.memberCount;
  return `${line} Next: ${next.percentOff}% off at ${next.members} members (${more} more).`;
}

/**
 * The lines that tie a group to its family: who is waiting for a place, the group opened for its
 * waitlist, or the full group this one was opened for.
 */
export function familyLines(publicUrl: string, group: GroupDoc): string[] {
  const lines: string[] = [];
  if (group.state === "open" && (group.offered ?? 0) > 0) lines.push(offeredLine(group.offered!));
  const waiting = waitingOf(group).length;
  if (waiting > 0) {
    lines.push(
      `${waiting} on the waitlist (/join ${group._id} to be added): a new group opens for them at ${group.size}.`,
    );
  }
  if (group.origin)
    lines.push(`Opened for the waitlist of group ${group.origin}: ${groupUrl(publicUrl, group.origin)}`);
  if (group.sibling)
    lines.push(`Group for its waitlist: ${group.sibling} — ${groupUrl(publicUrl, group.sibling)}`);
  return lines;
}

/** The status card's text and buttons for `group` as it stands. Neutral text: each adapter renders it. */
export function statusCard(
  publicUrl: string,
  group: GroupDoc,
  product: Pick<ProductDoc, "name" | "sku" | "tiers">,
): { text: string; buttons: Button[] } {
  const url = groupUrl(publicUrl, group._id);
  const open = group.state === "open";
  const text = [
    `Group buy: ${product.name} (${product.sku}) — code ${group._id}`,
    `${membersBar(group.memberCount, group.size, group.max)} ${group.memberCount}/${group.max}`,
    progressLine(group),
    tierLine(group, product),
    ...familyLines(publicUrl, group),
    open ? `Join with /join ${group._id} — ${url}` : url,
  ].join("\n");
  return {
    text,
    buttons: [
      ...(open ? [{ label: "Join", command: `/join ${group._id}` }] : []),
      { label: "Open the group page", url },
    ],
  };
}

export type StatusCards = ReturnType<typeof createStatusCards>;

/**
 * "The group changed": every write that changes what a group's card shows (completion, failure,
 * expiry, and whatever else changes a group) calls `changed` in its own transaction, so the card's
 * new state is queued with the change that causes it. Joins are the exception that keeps `/join`
 * at its round trips: like their shipping requests, the relay finds their committed orders after
 * the fact and calls `joined`.
 */
export function createStatusCards(
  ctx: EngineContext,
  deps: { outbox: OutboxWriter; product: (sku: string) => Promise<ProductDoc | null> },
) {
  const { Group } = ctx.models;

  /** What the outbox is given for `group`'s card. */
  function input(group: GroupDoc & { card: GroupCard }, product: ProductDoc): CardInput {
    return {
      groupCode: group._id,
      platform: group.card.platform,
      channelId: group.card.channelId,
      ...statusCard(ctx.publicUrl, group, product),
    };
  }

  async function changed(session: Session, group: GroupDoc): Promise<void> {
    if (!group.card) return;
    const product = await deps.product(group.sku);
    if (product) await deps.outbox.card(session, input({ ...group, card: group.card }, product));
  }

  return {
    input,
    /** Queues the card of `group` (as it stands after the change) to be posted or edited. */
    changed,
    /** Orders were placed in these groups: their cards show them as the groups now stand. */
    async joined(codes: string[]): Promise<void> {
      const groups = await Group.find(
        { _id: { $in: codes }, card: { $ne: null } },
        { members: 0, invites: 0 },
      ).lean<GroupDoc[]>();
      for (const group of groups) await changed(undefined, group);
    },
  };
}
