import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness, HOUR, people } from "./support/harness";

describe("completion and failure at the deadline", () => {
  let connection: Connection;
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  beforeAll(async () => {
    connection = await freshConnection("expiry");
    h = await engineOn(connection);
    [alice, bob, carol] = (await people(h.engine, "alice", "bob", "carol")) as [string, string, string];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("leaves a group open until its deadline, then completes it when it has at least size members", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 5, expiresInMs: 2 * HOUR });
    await h.engine.groups.join(bob, code);
    await h.engine.groups.join(carol, code);
    h.clock.advance(2 * HOUR - 1);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.view(code)).state).toBe("open");
    h.clock.advance(1);
    await h.engine.groups.sweep();
    expect((await h.engine.groups.view(code)).state).toBe("complete");
  });

  it("fails a group below size at its deadline: every order cancelled, cancelled shipping requests, members told", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, expiresInMs: HOUR });
    const joined = await h.engine.groups.join(bob, code, { qty: 2 });
    await h.engine.outbox.runOnce();
    h.messenger.clear();

    h.clock.advance(HOUR);
    expect(await h.engine.groups.sweep()).toBe(1);
    expect((await h.engine.groups.view(code)).state).toBe("failed");
    expect(await h.engine.orders.get(joined.order._id)).toMatchObject({ status: "cancelled" });

    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    const forOrder = shipping.filter((m) => m.shipping?.orderId === joined.order._id);
    expect(forOrder.map((m) => m.shipping?.idempotencyKey).sort()).toEqual([
      joined.order._id,
      `${joined.order._id}:cancelled`,
    ]);
    const cancelled = forOrder.find((m) => m.shipping?.idempotencyKey.endsWith(":cancelled"));
    expect(JSON.parse(cancelled?.shipping?.body ?? "{}")).toMatchObject({
      orderId: joined.order._id,
      status: "cancelled",
      groupCode: code,
      sku: "KB-75",
      qty: 2,
      user: bob,
    });

    await h.engine.outbox.runOnce();
    const told = h.messenger.to("bob");
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain(`Your order ${joined.order._id} is cancelled`);
    // The organiser, who never joined, hears the outcome too.
    expect(h.messenger.to("alice")[0]?.text).toContain("closed with 1 of 3 members");
  });

  it("sweeping again, or from a restarted engine, changes nothing more", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 3, expiresInMs: HOUR });
    await h.engine.groups.join(bob, code);
    h.clock.advance(HOUR);
    // A new engine instance on the same database stands in for a restarted process.
    const restarted = await engineOn(connection, { clock: h.clock });
    expect(await restarted.engine.groups.sweep()).toBe(1);
    expect(await h.engine.groups.sweep()).toBe(0);
    expect(await restarted.engine.groups.sweep()).toBe(0);
    const cancellations = (await h.engine.outbox.list({ kind: "shipping" })).filter(
      (m) => m.shipping?.idempotencyKey.endsWith(":cancelled") && m.shipping.body.includes(code),
    );
    expect(cancellations).toHaveLength(1);
  });

  it("the engine's own sweeper closes expired groups without anyone's command", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, expiresInMs: HOUR });
    h.clock.advance(HOUR);
    const running = await engineOn(connection, { clock: h.clock, sweepIntervalMs: 20 });
    await running.engine.start();
    try {
      const group = connection.collection("groups");
      for (let i = 0; i < 200; i++) {
        const doc = await group.findOne({ _id: code as never });
        if (doc?.state !== "open") break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect((await group.findOne({ _id: code as never }))?.state).toBe("failed");
    } finally {
      await running.engine.stop();
    }
  });
});
