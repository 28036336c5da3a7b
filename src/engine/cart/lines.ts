import type { ProductDoc } from "../../../models";
import type { CartLine } from "../../../models/cart-session";
import { userError } from "../errors";
import { CART_LIMITS } from "./limits";
import type { CartLineView, CartTotal } from "./types";

/** Pure line arithmetic: every rule here is checked before anything is written. */

export function totalQtyOf(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.qty, 0);
}

/** `lines` with `qty` more of `product`; the product's name and price refreshed from the catalog. */
export function addLine(lines: readonly CartLine[], product: ProductDoc, qty: number): CartLine[] {
  const existing = lines.find((line) => line.productId === product._id);
  const lineQty = (existing?.qty ?? 0) + qty;
  if (lineQty > CART_LIMITS.maxLineQty) {
    throw userError("LINE_LIMIT", {
      wouldBe: lineQty,
      sku: product.sku,
      max: CART_LIMITS.maxLineQty,
      room: CART_LIMITS.maxLineQty - (existing?.qty ?? 0),
    });
  }
  if (!existing && lines.length >= CART_LIMITS.maxLines) {
    throw userError("CART_FULL", { max: CART_LIMITS.maxLines });
  }
  const cartQty = totalQtyOf(lines) + qty;
  if (cartQty > CART_LIMITS.maxCartQty) {
    throw userError("CART_LIMIT", { max: CART_LIMITS.maxCartQty });
  }
  const line: CartLine = {
    productId: product._id,
    sku: product.sku,
    name: product.name,
    qty: lineQty,
    unitPrice: product.price,
    currency: product.currency,
  };
  return existing
    ? lines.map((other) => (other.productId === product._id ? line : { ...other }))
    : [...lines.map((other) => ({ ...other })), line];
}

/** `lines` with `qty` fewer of the product; no qty (or at least what is there) drops the line. */
export function removeLine(
  lines: readonly CartLine[],
  productId: string,
  typedSku: string,
  qty: number | undefined,
): CartLine[] {
  const existing = lines.find((line) => line.productId === productId);
  if (!existing) {
    throw userError("NOT_IN_CART", { sku: typedSku });
  }
  if (qty === undefined || qty >= existing.qty) {
    return lines.filter((line) => line.productId !== productId).map((line) => ({ ...line }));
  }
  return lines.map((line) => (line.productId === productId ? { ...line, qty: line.qty - qty } : { ...line }));
}

export function lineViews(lines: readonly CartLine[]): CartLineView[] {
  return lines.map((line) => ({
    sku: line.sku,
    name: line.name,
    qty: line.qty,
    unitPrice: line.unitPrice,
    currency: line.currency,
    lineTotal: line.unitPrice * line.qty,
  }));
}

/** One total per currency, in a stable (alphabetical) order. */
export function totalsOf(lines: readonly CartLine[]): CartTotal[] {
  const sums = new Map<string, number>();
  for (const line of lines)
    sums.set(line.currency, (sums.get(line.currency) ?? 0) + line.unitPrice * line.qty);
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount }));
}
