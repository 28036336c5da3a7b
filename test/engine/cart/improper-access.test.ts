import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { SESSION_CODE_PATTERN } from "../../../src/engine/cart/session-code";
import { bindCartModels } from "../../../src/engine/cart/store";
import { MISS_LIMIT } from "../../../src/engine/guess-limit";
import { alice, type CartWorld, mallory, openWorld, withOtherSerial, withOtherToken } from "./harness";

describe("improper access to a session code", () => {
  let world: CartWorld;
  beforeAll(async () => {
    world = await openWorld({ maxBadAttempts: 3, badAttemptDelayMs: 1000 });
  });
  afterAll(async () => {
    await world.close();
  });

  async function sessionDoc(serial: string) {
    const { CartSession } = bindCartModels(world.connections[0]!);
    return CartSession.findOne({ serial }).lean();
  }

  it("treats a code whose serial matches but whose token does not as improper: delayed, warned, counted", async () => {
    const cart = await world.carts.add(alice, "KB-75");
    world.sleeps.length = 0;
    const outcome = await world.carts.viewByCode(withOtherToken(cart.code), mallory);
    expect(outcome).toMatchObject({ kind: "improper", attempts: 1, delayMs: 1000, retired: false });
    if (outcome.kind === "improper") expect(outcome.message).toMatch(/recorded/);
    expect(world.sleeps).toEqual([1000]);
    expect((await sessionDoc(cart.serial))?.badAttempts).toBe(1);
  });

  it("treats a code whose token matches but whose serial does not as improper, with a longer delay", async () => {
    const cart = await world.carts.show(alice);
    world.sleeps.length = 0;
    const outcome = await world.carts.resume(mallory, withOtherSerial(cart.code));
    expect(outcome).toMatchObject({ kind: "improper", attempts: 2, delayMs: 2000, retired: false });
    expect(world.sleeps).toEqual([2000]);
    // mallory was not attached to alice's cart
    const own = await world.carts.show(mallory);
    expect(own.code).not.toBe(cart.code);
  });

  it("retires the code at SESSION_MAX_BAD_ATTEMPTS, DMs the owner the new one, and the old code is dead", async () => {
    const before = await world.carts.show(alice);
    const outcome = await world.carts.viewByCode(withOtherToken(before.code), mallory);
    expect(outcome).toMatchObject({ kind: "improper", attempts: 3, delayMs: 4000, retired: true });

    const old = await world.carts.viewByCode(before.code, "web:owner-device");
    expect(old.kind).toBe("not_found");

    const after = await world.carts.show(alice);
    expect(after.code).not.toBe(before.code);
    expect(after.code).toMatch(SESSION_CODE_PATTERN);
    expect(after.lines.map((line) => line.sku)).toEqual(["KB-75"]);
    expect((await sessionDoc(after.serial))?.badAttempts).toBe(0);

    const dms = await world.engines[0]!.core.ctx.models.OutboxMessage.find({ kind: "dm" }).lean();
    expect(dms).toHaveLength(1);
    expect(dms[0]!.dm).toMatchObject({ platform: "discord", userId: "1001", userKey: "discord:1001" });
    expect(dms[0]!.dm!.text).toContain(after.code);
    expect(dms[0]!.dm!.text).toMatch(/retired after 3 suspicious attempts/);
    expect(dms[0]!.dm!.text).toContain(`/s/${after.code}`);
    expect((await world.carts.viewByCode(after.code, "web:owner-device")).kind).toBe("ok");
  });

  it("grows the delay with the count and caps it at 10 seconds", async () => {
    const patient = await openWorld({ maxBadAttempts: 50, badAttemptDelayMs: 1500 });
    try {
      const cart = await patient.carts.show(alice);
      for (let i = 0; i < 6; i++) await patient.carts.viewByCode(withOtherToken(cart.code), `web:probe-${i}`);
      expect(patient.sleeps).toEqual([1500, 3000, 6000, 10_000, 10_000, 10_000]);
    } finally {
      await patient.close();
    }
  });

  it("counts improper attempts exactly when they arrive concurrently", async () => {
    const busy = await openWorld({ engines: 2, maxBadAttempts: 100, badAttemptDelayMs: 0 });
    try {
      const cart = await busy.carts.show(alice);
      const outcomes = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          busy.services[i % 2]!.viewByCode(
            i % 3 === 0 ? withOtherSerial(cart.code) : withOtherToken(cart.code),
            `web:probe-${i}`,
          ),
        ),
      );
      const attempts = outcomes.map((outcome) => (outcome.kind === "improper" ? outcome.attempts : -1));
      expect(attempts.sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      const { CartSession } = bindCartModels(busy.connections[0]!);
      const doc = await CartSession.findOne({ serial: cart.serial }).lean();
      expect(doc).toMatchObject({ badAttempts: 24, badAttemptsTotal: 24 });
    } finally {
      await busy.close();
    }
  });

  it("retires the code exactly once when attempts past the limit race", async () => {
    const racing = await openWorld({ engines: 2, maxBadAttempts: 3, badAttemptDelayMs: 0 });
    try {
      const cart = await racing.carts.show(alice);
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          racing.services[i % 2]!.viewByCode(withOtherToken(cart.code), `web:racer-${i}`),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.kind === "improper" && outcome.retired)).toHaveLength(1);
      const dms = await racing.engines[0]!.core.ctx.models.OutboxMessage.find({ kind: "dm" }).lean();
      expect(dms).toHaveLength(1);
      expect((await racing.carts.viewByCode(cart.code, "web:owner")).kind).toBe("not_found");
    } finally {
      await racing.close();
    }
  });

  it("counts on both carts when the serial names one live cart and the token belongs to another", async () => {
    const mixed = await openWorld({ maxBadAttempts: 10, badAttemptDelayMs: 100 });
    try {
      const a = await mixed.carts.show({ platform: "playground", id: "owner-a" });
      const b = await mixed.carts.show({ platform: "playground", id: "owner-b" });
      const outcome = await mixed.carts.viewByCode(withOtherSerial(b.code, a.serial), "web:mixer");
      expect(outcome).toMatchObject({ kind: "improper", attempts: 1, delayMs: 100 });
      const { CartSession } = bindCartModels(mixed.connections[0]!);
      expect((await CartSession.findOne({ serial: a.serial }).lean())?.badAttempts).toBe(1);
      expect((await CartSession.findOne({ serial: b.serial }).lean())?.badAttempts).toBe(1);
      expect(mixed.sleeps).toEqual([100]);
    } finally {
      await mixed.close();
    }
  });

  it("answers a code matching nothing with a plain not-found and no delay", async () => {
    world.sleeps.length = 0;
    const outcome = await world.carts.viewByCode(
      "20200101000000000001-AAAAAAAAAAAAAAAAAAAAAAAA",
      "web:stranger",
    );
    expect(outcome.kind).toBe("not_found");
    expect(world.sleeps).toEqual([]);
  });

  it("stops one sender sweeping serials after too many misses in a window", async () => {
    const sweeper = { platform: "telegram" as const, id: "4242" };
    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      const serial = `20260506070809${String(900_000 + i).padStart(6, "0")}`;
      const outcome = await world.carts.resume(sweeper, `${serial}-AAAAAAAAAAAAAAAAAAAAAAAA`);
      expect(outcome.kind).toBe("not_found");
    }
    const cart = await world.carts.show(alice);
    const blocked = await world.carts.resume(sweeper, cart.code);
    expect(blocked.kind).toBe("rate_limited");
    // Others are unaffected, and the sender is let back in once the window has passed.
    expect((await world.carts.viewByCode(cart.code, "web:someone-else")).kind).toBe("ok");
    world.clock.advance(MISS_LIMIT.windowMs + 1);
    const later = await world.carts.viewByCode(cart.code, sweeper);
    expect(later.kind).toBe("ok");
  });
});
