import type { GroupDoc, ProductDoc, Tier } from "../../../models";
import { formatMoney, formatUtcDigits } from "../../format";
import type { Button } from "../../kernel";
import type { Discount } from "../discount";

/** The texts of the DMs a group sends. Neutral text and plain URLs: each adapter renders them. */

export function tiersText(product: Pick<ProductDoc, "tiers">): string {
  if (product.tiers.length === 0) return "no group discount tiers";
  return product.tiers.map((t: Tier) => `${t.members}+ members: ${t.percentOff}% off`).join(", ");
}

export function groupUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/g/${code}`;
}

export function personalUrl(publicUrl: string, code: string, token: string): string {
  return `${publicUrl}/g/${code}?m=${encodeURIComponent(token)}`;
}

function joinButtons(code: string, link: string): Button[] {
  return [
    { label: "Join", command: `/join ${code}` },
    { label: "Open the group page", url: link },
  ];
}

export function inviteDm(input: {
  group: GroupDoc;
  product: ProductDoc;
  organiserName: string;
  link: string;
}): { text: string; buttons: Button[] } {
  const { group, product } = input;
  const text = [
    `${input.organiserName} invited you to buy ${product.name} (${product.sku}) together.`,
    `Price: ${formatMoney(product.price, product.currency)}. Discounts: ${tiersText(product)}.`,
    `The group needs ${group.size} member${group.size === 1 ? "" : "s"} (up to ${group.max}) by ${formatUtcDigits(group.expiresAt)}.`,
    `Group code: ${group._id}. Your personal link: ${input.link}`,
    `To join, type /join ${group._id}`,
  ].join("\n");
  return { text, buttons: joinButtons(group._id, input.link) };
}

export function reminderDm(input: { group: GroupDoc; product: ProductDoc; link: string }): {
  text: string;
  buttons: Button[];
} {
  const { group, product } = input;
  const text = [
    `Reminder: the group buy of ${product.name} (${product.sku}) is waiting for you.`,
    `${group.memberCount} of ${group.size} members so far; it closes ${formatUtcDigits(group.expiresAt)}. Discounts: ${tiersText(product)}.`,
    `Your personal link: ${input.link}`,
    `To join, type /join ${group._id}`,
  ].join("\n");
  return { text, buttons: joinButtons(group._id, input.link) };
}

export function completedDm(input: {
  group: GroupDoc;
  product: ProductDoc;
  discount: Discount;
  currency: string;
  balance: number;
}): string {
  const { group, discount } = input;
  const parts: string[] = [];
  if (discount.tierAmount > 0) {
    parts.push(`${discount.tierPercentOff}% tier: ${formatMoney(discount.tierAmount, input.currency)}`);
  }
  if (discount.regionRebate > 0) {
    parts.push(`${discount.region} rebate: ${formatMoney(discount.regionRebate, input.currency)}`);
  }
  const credited =
    discount.total > 0
      ? `You get ${discount.total} points back (${parts.join(" + ")}).`
      : "No tier was reached, so there are no points to credit this time.";
  return [
    `Group ${group._id} for ${input.product.name} is complete with ${group.memberCount} members.`,
    credited,
    `Your points balance: ${input.balance}. Type /points for the history.`,
  ].join("\n");
}

/** How a cancelled group is announced, with the reason the canceller gave. */
function cancelledLine(group: GroupDoc, productName: string): string {
  const reason = group.cancelReason ? `: ${group.cancelReason}` : ".";
  return `Group ${group._id} for ${productName} was cancelled${reason}`;
}

export function failedDm(input: { group: GroupDoc; product: ProductDoc; orderId: string }): string {
  const { group } = input;
  return [
    typeof group.cancelReason === "string"
      ? cancelledLine(group, input.product.name)
      : `Group ${group._id} for ${input.product.name} closed at ${formatUtcDigits(group.expiresAt)} with ${group.memberCount} of ${group.size} members needed.`,
    `Your order ${input.orderId} is cancelled; nothing will be shipped or charged.`,
  ].join("\n");
}

export function organiserOutcomeDm(input: { group: GroupDoc; product: ProductDoc }): string {
  const { group } = input;
  if (typeof group.cancelReason === "string") {
    return `${cancelledLine(group, input.product.name)} Every order in it is cancelled.`;
  }
  return group.state === "complete"
    ? `Your group ${group._id} for ${input.product.name} is complete with ${group.memberCount} members.`
    : `Your group ${group._id} for ${input.product.name} closed with ${group.memberCount} of ${group.size} members needed; every order in it is cancelled.`;
}

/** To each waitlisted member a sibling group took: where they are now, with their personal link. */
export function siblingDm(input: {
  origin: GroupDoc;
  sibling: GroupDoc;
  productName: string;
  link: string;
}): {
  text: string;
  buttons: Button[];
} {
  const { origin, sibling } = input;
  const text = [
    `Group ${origin._id} for ${input.productName} was full, so a new group opened for the ${sibling.memberCount} people on its waitlist: you are a member of group ${sibling._id}, with your order placed.`,
    `It needs ${sibling.size} members (up to ${sibling.max}) by ${formatUtcDigits(sibling.expiresAt)}.`,
    `Your personal link: ${input.link}`,
    `To leave it, type /leave ${sibling._id}`,
  ].join("\n");
  return {
    text,
    buttons: [
      { label: "Group status", command: `/group ${sibling._id}` },
      { label: "Open the group page", url: input.link },
    ],
  };
}

export function siblingOrganiserDm(input: {
  origin: GroupDoc;
  sibling: GroupDoc;
  productName: string;
}): string {
  const { origin, sibling } = input;
  return `${sibling.memberCount} people were waiting for your full group ${origin._id} (${input.productName}), so group ${sibling._id} opened for them with the same product, tiers and size, open until ${formatUtcDigits(sibling.expiresAt)}. Type /group ${sibling._id} to see it.`;
}

/** To the first on a full group's waitlist when a place in it is freed: it is held for them until `until`. */
export function offerDm(input: { group: GroupDoc; productName: string; sku: string; until: Date }): {
  text: string;
  buttons: Button[];
} {
  const { group } = input;
  const text = [
    `A place is free in group ${group._id} for ${input.productName} (${input.sku}), and you are first on its waitlist.`,
    `It is held for you until ${formatUtcDigits(input.until)}: press Take the place, or type /join ${group._id}`,
  ].join("\n");
  return { text, buttons: [{ label: "Take the place", command: `/join ${group._id}` }] };
}

/** How a card or `/group` shows places held for the waitlist. */
export function offeredLine(count: number): string {
  return `${count} place${count === 1 ? "" : "s"} offered to the waitlist.`;
}

/** An offer nobody took in time. */
export function offerLapsedDm(code: string): string {
  return `The place held for you in group ${code} was not taken in time and went to the next on the waitlist; type /join ${code} to queue again.`;
}

/** An offer its group's close took away. */
export function offerClosedDm(group: GroupDoc): string {
  return `Group ${group._id} closed (${group.state}) before you took the place held for you; nothing was ordered.`;
}
