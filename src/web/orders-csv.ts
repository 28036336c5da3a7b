import { formatAmount } from "../format";
import type { Platform } from "../kernel";
import type { GroupExportModel } from "./model";

/** The first record: one column name per field. */
export const ORDERS_CSV_HEADER = [
  "order",
  "member",
  "platform",
  "product",
  "sku",
  "quantity",
  "unit price",
  "currency",
  "tier reached",
  "points",
  "region",
  "email",
  "state",
] as const;

/** Added when the group's orders are paid through crowdcart (PAYMENTS on). */
export const PAYMENT_COLUMNS = ["payment", "charged"] as const;

/**
 * The organiser's export as RFC 4180 CSV: CRLF line ends, a header row, and a field quoted when it
 * holds a comma, a quote or a line break (quotes doubled). Every field is user text to a
 * spreadsheet, so one that would start a formula is neutralised first.
 */
export function ordersCsv(data: GroupExportModel, platformLabel: (id: Platform) => string): string {
  const paid = data.orders.some((order) => order.payment);
  const rows = data.orders.map((order) => [
    order.orderId,
    order.member,
    platformLabel(order.platform),
    order.productName,
    order.sku,
    String(order.qty),
    formatAmount(order.unitPrice, order.currency),
    order.currency,
    order.tier ? `${order.tier.percentOff}% (${order.tier.members}+ members)` : "none",
    order.points === null ? "" : String(order.points),
    order.region ?? "",
    order.email ?? "",
    order.state,
    ...(paid ? paymentFields(order.payment, order.currency) : []),
  ]);
  const header = paid ? [...ORDERS_CSV_HEADER, ...PAYMENT_COLUMNS] : ORDERS_CSV_HEADER;
  return [header, ...rows].map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}

/** Characters a spreadsheet reads as the start of a formula (or that hide one after them). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: formula starts prefixed with `'`, then quoted when RFC 4180 requires it. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function paymentFields(payment: { state: string; charged: number } | undefined, currency: string): string[] {
  if (!payment) return ["", ""];
  return [payment.state, payment.charged > 0 ? formatAmount(payment.charged, currency) : ""];
}
