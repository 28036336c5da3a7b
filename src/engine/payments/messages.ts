import type { GroupDoc, OrderDoc } from "../../../models";
import type { CartPayment } from "../../../models/cart-session";
import { formatDurationSpelledOut, formatMoney } from "../../format";
import type { Discount } from "../discount";

/** The texts payments add to a member's conversation. Neutral text and plain URLs: each adapter renders them. */

export function payLinkText(order: OrderDoc, url: string, windowMs: number): string {
  return [
    `Pay within ${formatDurationSpelledOut(windowMs)} to keep your place: ${url}`,
    `Your card is only held for ${formatMoney(order.total, order.currency)}; you are charged the final group price when the group completes, and nothing if it fails.`,
  ].join("\n");
}

export function chargedDm(input: {
  group: GroupDoc;
  order: OrderDoc;
  charged: number;
  discount: Discount;
}): string {
  const { group, order, discount } = input;
  const parts: string[] = [];
  if (discount.tierAmount > 0) parts.push(`${discount.tierPercentOff}% tier`);
  if (discount.regionRebate > 0) parts.push(`${discount.region} rebate`);
  const saved =
    discount.total > 0
      ? `You saved ${formatMoney(discount.total, order.currency)} (${parts.join(" + ")}): it was never charged.`
      : "No tier was reached, so the list price is charged.";
  return [
    `Group ${group._id} for ${order.name} is complete with ${group.paidCount ?? group.memberCount} paid members.`,
    `Charged: ${formatMoney(input.charged, order.currency)} of the ${formatMoney(order.total, order.currency)} held on your card.`,
    saved,
  ].join("\n");
}

export function placeGivenBackDm(order: OrderDoc): string {
  return [
    `Your place in group ${order.groupCode} was given back: the payment window ended before your card was authorized.`,
    `Nothing was charged. To try again, type /join ${order.groupCode}`,
  ].join("\n");
}

export function unpaidAtCloseDm(order: OrderDoc): string {
  return `Group ${order.groupCode} closed before your card was authorized: your order ${order._id} is cancelled and nothing was charged.`;
}

/** A cancellation's DM, for an order whose money was taken: it is refunded, not "never charged". */
export function refundedText(cancelled: string, order: OrderDoc): string {
  const [first] = cancelled.split("\n");
  return [
    first,
    `Your order ${order._id} is cancelled: the ${formatMoney(order.payment?.charged ?? 0, order.currency)} charged is refunded to your card, and nothing will be shipped.`,
  ].join("\n");
}

export function cartPayLinkText(payment: CartPayment, url: string, windowMs: number): string {
  return [
    `Pay ${formatMoney(payment.amount, payment.currency)} within ${formatDurationSpelledOut(windowMs)} to check out your cart: ${url}`,
    "Your orders are placed and shipped once it is paid; until then the cart is locked, and it opens again if the time runs out.",
  ].join("\n");
}

export function cartReopenedDm(serial: string): string {
  return `Your cart ${serial} was not paid in time: nothing was charged, and the cart is open again. Type /cart to see it, or /cart checkout to try again.`;
}
