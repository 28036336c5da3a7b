import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SESSION_CODE_PATTERN, sequenceOfSerial } from "../../../src/engine/cart/session-code";
import { alice, bob, type CartWorld, openWorld, PUBLIC_URL } from "./harness";

describe("issuing cart sessions", () => {
  let world: CartWorld;
  beforeAll(async () => {
    world = await openWorld({ engines: 2 });
  });
  afterAll(async () => {
    await world.close();
  });

  it("issues a session on the first cart access and shows its code and link", async () => {
    const cart = await world.carts.show(alice);
    expect(cart.issued).toBe(true);
    expect(cart.code).toMatch(SESSION_CODE_PATTERN);
    expect(cart.code.length).toBeLessThanOrEqual(64);
    expect(cart.url).toBe(`${PUBLIC_URL}/s/${cart.code}`);
    expect(cart.serial.slice(0, 14)).toBe("20260506070809");
    expect(cart.lines).toEqual([]);
  });

  it("keeps using the same session until checkout", async () => {
    const first = await world.carts.show(alice);
    const added = await world.carts.add(alice, "KB-75");
    expect(added.issued).toBe(false);
    expect(added.code).toBe(first.code);
    const again = await world.services[1]!.show(alice);
    expect(again.code).toBe(first.code);
  });

  it("issues a session on the first item added", async () => {
    const cart = await world.carts.add(bob, "kc-pbt", 2);
    expect(cart.issued).toBe(true);
    expect(cart.lines).toEqual([
      { sku: "KC-PBT", name: "PBT keycap set", qty: 2, unitPrice: 5900, currency: "EUR", lineTotal: 11800 },
    ]);
    expect(cart.code).toMatch(SESSION_CODE_PATTERN);
  });

  it("orders serials across two engine instances sharing one database", async () => {
    const serials: string[] = [];
    for (let i = 0; i < 6; i++) {
      const service = world.services[i % 2]!;
      world.clock.advance(1000);
      const cart = await service.show({ platform: "playground", id: `shopper-${i}` });
      serials.push(cart.serial);
    }
    const sequences = serials.map(sequenceOfSerial);
    for (let i = 1; i < sequences.length; i++) expect(sequences[i]!).toBeGreaterThan(sequences[i - 1]!);
    expect([...serials].sort()).toEqual(serials);
  });

  it("draws distinct, increasing sequence numbers when both instances issue at once", async () => {
    const carts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        world.services[i % 2]!.show({ platform: "playground", id: `burst-${i}` }),
      ),
    );
    const sequences = carts.map((cart) => sequenceOfSerial(cart.serial));
    expect(new Set(sequences).size).toBe(10);
  });

  it("stores the serial in the clear and never the token", async () => {
    const cart = await world.carts.show(alice);
    const token = cart.code.slice(cart.code.indexOf("-") + 1);
    const dump = JSON.stringify(await world.connections[0]!.db!.collection("cart_sessions").find().toArray());
    expect(dump).toContain(cart.serial);
    expect(dump).not.toContain(token);
  });

  it("issues two shoppers' tokens independently of their serials", async () => {
    const a = await world.carts.show({ platform: "playground", id: "twin-a" });
    const b = await world.carts.show({ platform: "playground", id: "twin-b" });
    const tokenOf = (code: string) => code.slice(code.indexOf("-") + 1);
    expect(tokenOf(a.code)).not.toBe(tokenOf(b.code));
    expect(tokenOf(a.code)).not.toContain(a.serial);
  });
});
