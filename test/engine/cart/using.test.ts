import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { alice, aliceOnTelegram, bob, type CartWorld, openWorld, TTL_MS } from "./harness";

describe("using a cart session", () => {
  let world: CartWorld;
  beforeAll(async () => {
    world = await openWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it("adds and removes items and shows totals per currency in minor units", async () => {
    const user = { platform: "playground" as const, id: "totals" };
    await world.carts.add(user, "KB-75");
    await world.carts.add(user, "KB-75", 2);
    await world.carts.add(user, "MOUSE-1", 1);
    let cart = await world.carts.add(user, "KC-PBT", 4);
    expect(cart.totals).toEqual([
      { currency: "EUR", amount: 3 * 12900 + 4 * 5900 },
      { currency: "USD", amount: 4500 },
    ]);
    cart = await world.carts.remove(user, "KC-PBT", 1);
    expect(cart.lines.find((line) => line.sku === "KC-PBT")?.qty).toBe(3);
    cart = await world.carts.remove(user, "mouse-1");
    expect(cart.lines.map((line) => line.sku)).toEqual(["KB-75", "KC-PBT"]);
    expect(cart.totals).toEqual([{ currency: "EUR", amount: 3 * 12900 + 3 * 5900 }]);
    expect(cart.totalQty).toBe(6);
  });

  it("resumes a cart by its code from another platform and keeps working in it there", async () => {
    const original = await world.carts.add(alice, "KB-75");
    const resumed = await world.carts.resume(aliceOnTelegram, original.code);
    expect(resumed.kind).toBe("ok");
    if (resumed.kind !== "ok") return;
    expect(resumed.cart.code).toBe(original.code);
    const fromTelegram = await world.carts.add(aliceOnTelegram, "KC-PBT");
    expect(fromTelegram.code).toBe(original.code);
    const fromDiscord = await world.carts.show(alice);
    expect(fromDiscord.lines.map((line) => [line.sku, line.qty])).toEqual([
      ["KB-75", 1],
      ["KC-PBT", 1],
    ]);
  });

  it("shows the cart page model by code without attaching the viewer", async () => {
    const cart = await world.carts.show(alice);
    const view = await world.carts.viewByCode(cart.code, "web:127.0.0.1");
    expect(view.kind).toBe("ok");
    if (view.kind !== "ok") return;
    expect(view.cart.lines.length).toBe(2);
    expect(view.cart.expiresAt.getTime()).toBe(world.clock.now().getTime() + TTL_MS);
  });

  it("checks out into orders with shipping requests and closes the session", async () => {
    const cart = await world.carts.show(alice);
    const result = await world.carts.checkout(alice);
    expect(result.cart.status).toBe("checked_out");
    expect(result.orders.map((order) => [order.sku, order.qty, order.total])).toEqual([
      ["KB-75", 1, 12900],
      ["KC-PBT", 1, 5900],
    ]);
    const orders = await world.engines[0]!.core.ctx.models.Order.find({ userKey: "discord:1001" }).lean();
    expect(orders.map((order) => order.groupCode)).toEqual([null, null]);
    expect(orders.every((order) => order.sessionCode === cart.serial)).toBe(true);
    const shipping = await world.engines[0]!.core.ctx.models.OutboxMessage.find({ kind: "shipping" }).lean();
    const bodies = shipping.map(
      (message) => JSON.parse(message.shipping!.body) as { orderId: string; status: string },
    );
    expect(bodies.map((body) => body.orderId).sort()).toEqual(
      result.orders.map((order) => order.orderId).sort(),
    );
    expect(bodies.every((body) => body.status === "requested")).toBe(true);

    const reopened = await world.carts.viewByCode(cart.code, "web:127.0.0.1");
    expect(reopened.kind).toBe("closed");
    const next = await world.carts.show(alice);
    expect(next.issued).toBe(true);
    expect(next.code).not.toBe(cart.code);
    expect(next.lines).toEqual([]);
  });

  it("refuses to check out an empty cart", async () => {
    await expect(world.carts.checkout({ platform: "playground", id: "empty" })).rejects.toMatchObject({
      code: "EMPTY_CART",
    });
  });

  it("expires a session idle longer than SESSION_TTL and offers a new cart", async () => {
    const cart = await world.carts.add(bob, "KB-75");
    world.clock.advance(TTL_MS - 1000);
    const stillThere = await world.carts.show(bob);
    expect(stillThere.code).toBe(cart.code);
    world.clock.advance(TTL_MS - 1000);
    expect((await world.carts.viewByCode(cart.code, "web:1")).kind).toBe("ok");
    world.clock.advance(TTL_MS + 1);
    const expired = await world.carts.viewByCode(cart.code, "web:1");
    expect(expired).toMatchObject({ kind: "expired" });
    if (expired.kind === "expired") expect(expired.message).toMatch(/expired.*\/cart/);
    const fresh = await world.carts.show(bob);
    expect(fresh).toMatchObject({ issued: true, replaced: "expired" });
    expect(fresh.code).not.toBe(cart.code);
    expect(fresh.lines).toEqual([]);
    const resumed = await world.carts.resume(aliceOnTelegram, cart.code);
    expect(resumed.kind).toBe("expired");
  });
});
