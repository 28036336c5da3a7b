import type { CommandDefinition } from "../src/chat/command";
import type { JoinResult, WaitlistAnswer } from "../src/engine/groups";
import { formatDurationSpelledOut, formatMoney, formatUtcDigits } from "../src/format";
import { userKey } from "../src/kernel";
import { groupCodeArg, qtyArg, skuArg } from "./shared";

export const joinCommand: CommandDefinition = {
  name: "join",
  description: "Join a group purchase with your order (the group's product or another one)",
  visibility: "channel",
  replay: "in-effect",
  examples: ["/join 7KQ3MX9P2HABC", "/join 7KQ3MX9P2HABC KB-65 qty=2"],
  args: [groupCodeArg, skuArg("Another catalog product instead of the group's", false, "product"), qtyArg],
  async run({ engine, user, publicUrl, eventKey }, args) {
    const sku = args.string("product");
    const qty = args.number("qty");
    const joined = await engine.groups.joinOrWait(userKey(user), args.requiredString("code"), {
      ...(sku !== undefined ? { sku } : {}),
      ...(qty !== undefined ? { qty } : {}),
      eventKey,
    });
    const who = user.displayName ?? user.username ?? user.id;
    if ("waitlisted" in joined) return waitlistReply(who, joined, publicUrl);
    const { order } = joined;
    const progress = joined.completed
      ? `The group is complete with ${joined.memberCount} members: discounts are credited as points (see /points).`
      : `${joined.memberCount} of ${joined.size} members so far (closes at ${joined.max}); open until ${formatUtcDigits(joined.expiresAt)}.`;
    const url = `${publicUrl}/g/${joined.code}`;
    if (joined.payUrl !== undefined) return payToJoin(joined, who, url);
    return {
      text: [
        `${who} joined group ${joined.code}: ${order.qty} × ${order.name} (${order.sku}) at ${formatMoney(order.total, order.currency)}.`,
        progress,
        url,
      ].join("\n"),
      buttons: [{ label: "Group status", command: `/group ${joined.code}` }],
      replayed: Boolean(joined.replayed),
    };
  },
};

/**
 * With payments on, the place is held until the card is authorized: the answer, with its checkout
 * link, goes to the member alone.
 */
function payToJoin(joined: JoinResult, who: string, groupUrl: string) {
  const { order } = joined;
  const window = order.payment
    ? formatDurationSpelledOut(order.payment.dueBy.getTime() - order.createdAt.getTime())
    : "";
  const pay = joined.payUrl
    ? `Pay within ${window} to keep your place: ${joined.payUrl}`
    : `Your payment link is on its way by DM; pay within ${window} to keep your place.`;
  return {
    text: [
      `${who}, your place in group ${joined.code} is held: ${order.qty} × ${order.name} (${order.sku}), ${formatMoney(order.total, order.currency)} held on your card, never more.`,
      pay,
      "You are charged the final group price (tier discount and region rebate taken off) when the group completes; nothing if it fails.",
      groupUrl,
    ].join("\n"),
    visibility: "private" as const,
    buttons: joined.payUrl ? [{ label: "Pay", url: joined.payUrl }] : [],
    replayed: Boolean(joined.replayed),
  };
}

/** A full group's answer: where the caller stands on its waitlist, or the sibling group that took them. */
function waitlistReply(who: string, answer: WaitlistAnswer, publicUrl: string) {
  if (answer.waitlisted === "placed") {
    return {
      text: [
        `${who}: group ${answer.code} is full, and you are now a member of group ${answer.sibling}, opened for its waitlist, with your order placed.`,
        `${publicUrl}/g/${answer.sibling}`,
      ].join("\n"),
      buttons: [{ label: "Group status", command: `/group ${answer.sibling}` }],
    };
  }
  const more = answer.size - answer.waiting;
  const sibling = answer.sibling
    ? ` Group ${answer.sibling}, opened for its earlier waitlist, may still have room: /join ${answer.sibling}`
    : "";
  return {
    text: [
      `${who}: group ${answer.code} is full, so you are number ${answer.position} on its waitlist (${answer.waiting} waiting). When ${more} more ${more === 1 ? "person asks" : "people ask"} to join, a new group with the same product opens for the waiting, with your order placed and a DM to each.${sibling}`,
      `${publicUrl}/g/${answer.code}`,
    ].join("\n"),
    buttons: [{ label: "Group status", command: `/group ${answer.code}` }],
  };
}
