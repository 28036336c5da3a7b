import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { UserError } from "../../../src/engine/errors";
import { alice, type CartWorld, openWorld } from "./harness";

describe("bad cart input", () => {
  let world: CartWorld;
  let baseline: { code: string; lines: unknown };
  beforeAll(async () => {
    world = await openWorld();
    const cart = await world.carts.add(alice, "KB-75", 2);
    baseline = { code: cart.code, lines: cart.lines };
  });
  afterAll(async () => {
    await world.close();
  });

  async function expectRefused(promise: Promise<unknown>, code: string): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe(code);
    expect((error as UserError).message).not.toContain("\n");
    const cart = await world.carts.show(alice);
    expect({ code: cart.code, lines: cart.lines }).toEqual(baseline);
  }

  it("refuses an unknown SKU", async () => {
    await expectRefused(world.carts.add(alice, "NOPE-1"), "UNKNOWN_PRODUCT");
    await expectRefused(world.carts.add(alice, "bad sku!"), "UNKNOWN_SKU");
    await expectRefused(world.carts.add(alice, ""), "MISSING_SKU");
  });

  it("refuses quantities that are zero, negative, fractional, absurd or not numbers", async () => {
    for (const qty of [0, -1, 1.5, 1e9, Number.NaN, Number.POSITIVE_INFINITY, "abc", "2x"]) {
      await expectRefused(world.carts.add(alice, "KB-75", qty), "INVALID_QTY");
    }
    await expectRefused(world.carts.remove(alice, "KB-75", 0), "INVALID_QTY");
  });

  it("caps the quantity of one line", async () => {
    await expectRefused(world.carts.add(alice, "KB-75", 98), "LINE_LIMIT");
  });

  it("refuses removing what is not in the cart", async () => {
    await expectRefused(world.carts.remove(alice, "KC-PBT"), "NOT_IN_CART");
  });

  it("refuses oversized text", async () => {
    await expectRefused(world.carts.add(alice, "K".repeat(5000)), "TEXT_TOO_LONG");
    await expect(world.carts.resume(alice, `${"1".repeat(4000)}-${"A".repeat(4000)}`)).rejects.toMatchObject({
      code: "TEXT_TOO_LONG",
    });
  });

  it("refuses malformed session codes without counting them anywhere", async () => {
    for (const code of [
      "",
      "hello",
      "123-abc",
      `${baseline.code}!`,
      "20260506070809000001_AAAAAAAAAAAAAAAAAAAAAAAA",
    ]) {
      const error = await world.carts.viewByCode(code, "web:typo").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
    }
    expect(await world.carts.viewByCode(baseline.code, "web:typo")).toMatchObject({ kind: "ok" });
  });
});
