import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { UserError } from "../../../src/engine/errors";
import { alice, aliceOnTelegram, type CartWorld, openWorld } from "./harness";

describe("cart sessions under concurrency", () => {
  let world: CartWorld;
  beforeAll(async () => {
    world = await openWorld({ engines: 2 });
  });
  afterAll(async () => {
    await world.close();
  });

  it("loses no item when two devices add to one cart at once", async () => {
    const cart = await world.carts.show(alice);
    const resumed = await world.services[1]!.resume(aliceOnTelegram, cart.code);
    expect(resumed.kind).toBe("ok");
    const adds = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? world.services[0]!.add(alice, i % 4 === 0 ? "KB-75" : "KC-PBT")
        : world.services[1]!.add(aliceOnTelegram, i % 4 === 1 ? "KB-75" : "MOUSE-1", 2),
    );
    await Promise.all(adds);
    const final = await world.carts.show(alice);
    const qty = Object.fromEntries(final.lines.map((line) => [line.sku, line.qty]));
    expect(qty).toEqual({ "KB-75": 5 + 5 * 2, "KC-PBT": 5, "MOUSE-1": 5 * 2 });
    expect(final.totalQty).toBe(30);
  });

  it("gives one cart to a user whose two devices make their first access at once", async () => {
    const user = { platform: "playground" as const, id: "twin-devices" };
    const carts = await Promise.all([
      world.services[0]!.add(user, "KB-75"),
      world.services[1]!.add(user, "KC-PBT"),
      world.services[0]!.show(user),
      world.services[1]!.show(user),
    ]);
    expect(new Set(carts.map((cart) => cart.code)).size).toBe(1);
    const final = await world.carts.show(user);
    expect(final.lines.map((line) => line.sku).sort()).toEqual(["KB-75", "KC-PBT"]);
  });

  it("either orders a racing add or refuses it, never drops it silently at checkout", async () => {
    const user = { platform: "playground" as const, id: "racer" };
    await world.carts.add(user, "KB-75");
    const [checkout, late] = await Promise.allSettled([
      world.services[0]!.checkout(user),
      world.services[1]!.add(user, "KC-PBT"),
    ]);
    expect(checkout.status).toBe("fulfilled");
    if (checkout.status !== "fulfilled") return;
    const ordered = checkout.value.orders.map((order) => order.sku);
    if (late.status === "fulfilled" && late.value.code === checkout.value.cart.code) {
      expect(ordered.sort()).toEqual(["KB-75", "KC-PBT"]);
    } else {
      expect(ordered).toEqual(["KB-75"]);
      if (late.status === "rejected") {
        // Refused with the line that says the cart just ended, not lost without a word.
        expect(late.reason).toBeInstanceOf(UserError);
        expect((late.reason as UserError).code).toBe("CART_ENDED");
      } else {
        // Landed after the checkout: kept in the caller's next cart.
        expect(late.value.lines.map((line) => line.sku)).toEqual(["KC-PBT"]);
        expect((await world.carts.show(user)).code).toBe(late.value.code);
      }
    }
  });
});
