import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createCarts } from "../../../src/engine/cart";
import { createTokenSealer, keyFromSecret } from "../../../src/engine/cart/token-seal";
import { alice, type CartWorld, openWorld } from "./harness";

describe("sealed session tokens", () => {
  it("opens only with the same key and for the same session", () => {
    const sealer = createTokenSealer(keyFromSecret("a".repeat(32)));
    const other = createTokenSealer(keyFromSecret("b".repeat(32)));
    const sealed = sealer.seal("TOKEN_abcdefghijklmnopqrstu", "session-1");
    expect(sealed).not.toContain("TOKEN");
    expect(sealer.open(sealed, "session-1")).toBe("TOKEN_abcdefghijklmnopqrstu");
    expect(sealer.open(sealed, "session-2")).toBeUndefined();
    expect(other.open(sealed, "session-1")).toBeUndefined();
    expect(sealer.open("garbage", "session-1")).toBeUndefined();
  });

  describe("with SESSION_CODE_SECRET", () => {
    let world: CartWorld;
    /** Carts of engine 0 built as SESSION_CODE_SECRET=`secret` would build them. */
    const withCodeSecret = (secret: string) => {
      const { ctx, cartDeps } = world.engines[0]!.core;
      return createCarts(ctx, { ...cartDeps, session: { ...cartDeps.session, codeSecret: secret } });
    };
    beforeAll(async () => {
      world = await openWorld();
    });
    afterAll(async () => {
      await world.close();
    });

    it("keeps no key in the database, and a changed secret gives the holder a fresh code for the same cart", async () => {
      const first = withCodeSecret("first-secret-0123456789abcdef0123");
      const cart = await first.add(alice, "KB-75");
      const secrets = await world.connections[0]!.db!.collection("engine_secrets").countDocuments();
      expect(secrets).toBe(0);

      const rotated = withCodeSecret("other-secret-0123456789abcdef0123");
      const again = await rotated.show(alice);
      expect(again.code).not.toBe(cart.code);
      expect(again.lines.map((line) => line.sku)).toEqual(["KB-75"]);
      expect((await rotated.viewByCode(again.code, "web:1")).kind).toBe("ok");
      expect((await rotated.viewByCode(cart.code, "web:1")).kind).toBe("not_found");
    });
  });
});
