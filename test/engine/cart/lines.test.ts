import { describe, expect, it } from "@jest/globals";
import type { ProductDoc } from "../../../models";
import type { CartLine } from "../../../models/cart-session";
import { badAttemptDelayMs, CART_LIMITS } from "../../../src/engine/cart/limits";
import { addLine, removeLine, totalsOf } from "../../../src/engine/cart/lines";

function product(n: number, currency = "EUR"): ProductDoc {
  return {
    _id: `P-${n}`,
    sku: `P-${n}`,
    name: `Product ${n}`,
    price: 100 + n,
    currency,
    tiers: [],
    regionRebates: {},
    updatedAt: new Date(0),
  };
}

describe("cart lines", () => {
  it("refuses an item beyond the cart-wide quantity cap and leaves the lines as they were", () => {
    let lines: CartLine[] = [];
    for (let i = 0; i < 5; i++) lines = addLine(lines, product(i), CART_LIMITS.maxLineQty);
    lines = addLine(lines, product(5), CART_LIMITS.maxCartQty - 5 * CART_LIMITS.maxLineQty);
    const snapshot = JSON.stringify(lines);
    expect(() => addLine(lines, product(6), 1)).toThrow(expect.objectContaining({ code: "CART_LIMIT" }));
    expect(JSON.stringify(lines)).toBe(snapshot);
  });

  it("refuses a product beyond the number of lines a cart holds", () => {
    let lines: CartLine[] = [];
    for (let i = 0; i < CART_LIMITS.maxLines; i++) lines = addLine(lines, product(i), 1);
    expect(() => addLine(lines, product(999), 1)).toThrow(expect.objectContaining({ code: "CART_FULL" }));
    expect(addLine(lines, product(0), 1).find((line) => line.productId === "P-0")?.qty).toBe(2);
  });

  it("removes part of a line, or the whole line when no quantity (or more than there is) is given", () => {
    const lines = addLine([], product(1), 5);
    expect(removeLine(lines, "P-1", "p-1", 2)[0]?.qty).toBe(3);
    expect(removeLine(lines, "P-1", "p-1", undefined)).toEqual([]);
    expect(removeLine(lines, "P-1", "p-1", 9)).toEqual([]);
  });

  it("totals each currency separately in minor units", () => {
    const lines = addLine(addLine(addLine([], product(1), 2), product(2, "USD"), 3), product(3), 1);
    expect(totalsOf(lines)).toEqual([
      { currency: "EUR", amount: 2 * 101 + 103 },
      { currency: "USD", amount: 3 * 102 },
    ]);
  });

  it("doubles the improper-access delay per attempt up to 10 seconds", () => {
    expect([1, 2, 3, 4, 5, 60].map((n) => badAttemptDelayMs(1000, n))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(badAttemptDelayMs(0, 3)).toBe(0);
  });
});
