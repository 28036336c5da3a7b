/**
 * Each instance remembers its shoppers' current carts so a returning shopper's change is one
 * write. These tests change the cart behind that memory — on another instance — and check the
 * next change lands where it must, counted exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Carts } from "../../../src/engine/cart";
import { type CartWorld, openWorld, withOtherToken } from "./harness";

let world: CartWorld;
let a: Carts;
let b: Carts;
let n = 0;
const shopper = () => ({ platform: "playground" as const, id: `shopper${++n}` });
const qtyOf = (cart: { lines: { sku: string; qty: number }[] }, sku: string) =>
  cart.lines.find((line) => line.sku === sku)?.qty;

beforeAll(async () => {
  world = await openWorld({ engines: 2 });
  [a, b] = world.services as [Carts, Carts];
});
afterAll(async () => {
  await world.close();
});

describe("a cart remembered by one instance and changed on another", () => {
  it("adds on two instances in turn lose nothing", async () => {
    const me = shopper();
    for (let i = 0; i < 6; i++) await (i % 2 ? b : a).add(me, "KB-75", 1);
    expect(qtyOf(await a.add(me, "KB-75", 1), "KB-75")).toBe(7);
  });

  it("checks the line cap against the cart as it is, not the remembered copy", async () => {
    const me = shopper();
    await a.add(me, "KB-75", 95);
    await b.add(me, "KB-75", 3);
    await expect(a.add(me, "KB-75", 2)).rejects.toMatchObject({ code: "LINE_LIMIT" });
    expect(qtyOf(await a.add(me, "KB-75", 1), "KB-75")).toBe(99);
  });

  it("after a resume on another instance, the next add goes to the resumed cart", async () => {
    const owner = shopper();
    const other = shopper();
    const theirs = await b.add(owner, "KC-PBT", 1);
    const mine = await a.add(other, "KB-75", 1);
    const resumed = await b.resume(other, theirs.code);
    expect(resumed.kind).toBe("ok");
    const after = await a.add(other, "KB-75", 1);
    expect(after.code).toBe(theirs.code);
    expect(qtyOf(after, "KB-75")).toBe(1);
    expect(qtyOf(after, "KC-PBT")).toBe(1);
    const left = await world.connections[0]!.collection("cart_sessions").findOne({ serial: mine.serial });
    expect(left?.lines).toHaveLength(1);
    expect(left?.lines[0]).toMatchObject({ sku: "KB-75", qty: 1 });
  });

  it("after a checkout on another instance, the next add starts a new cart", async () => {
    const me = shopper();
    const first = await a.add(me, "KB-75", 2);
    await b.checkout(me);
    const next = await a.add(me, "KB-75", 1);
    expect(next.code).not.toBe(first.code);
    expect(next.replaced).toBe("checked_out");
    expect(qtyOf(next, "KB-75")).toBe(1);
  });

  it("after its code is retired on another instance, the next add shows the new code", async () => {
    const me = shopper();
    const before = await a.add(me, "KB-75", 1);
    // Three improper accesses on the other instance retire the code (the cart's lines stay).
    for (let i = 0; i < 3; i++) await b.viewByCode(withOtherToken(before.code), `web:guesser${i}`);
    expect((await b.viewByCode(before.code, "web:owner")).kind).toBe("not_found");
    const after = await a.add(me, "KB-75", 1);
    expect(after.serial).not.toBe(before.serial);
    expect(after.code).not.toBe(before.code);
    expect((await b.viewByCode(after.code, "web:owner")).kind).toBe("ok");
    expect(qtyOf(after, "KB-75")).toBe(2);
  });

  it("a retried event answered by the other instance adds nothing", async () => {
    const me = shopper();
    await a.add(me, "KB-75", 2, "playground:evt-1");
    const retry = await b.add(me, "KB-75", 2, "playground:evt-1");
    expect(retry.replayed).toBe(true);
    expect(qtyOf(retry, "KB-75")).toBe(2);
    const again = await a.add(me, "KB-75", 2, "playground:evt-1");
    expect(again.replayed).toBe(true);
    expect(qtyOf(await a.add(me, "KB-75", 1), "KB-75")).toBe(3);
  });
});
