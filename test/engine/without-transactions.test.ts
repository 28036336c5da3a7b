import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { engineOn, type Harness, HOUR } from "./support/harness";

/** A standalone MongoDB has no transactions: the refusable write comes first and the cap still holds. */
describe("on a server without transactions", () => {
  const connections: Connection[] = [];
  const instances: Harness[] = [];
  const clock = new ManualClock("2026-03-02T10:00:00Z");
  beforeAll(async () => {
    const uri = freshDatabaseUri("notx");
    for (let i = 0; i < 3; i++) {
      const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
      connections.push(connection);
      instances.push(await engineOn(connection, { clock, transactions: "off" }));
    }
  });
  afterAll(async () => {
    const [first, ...rest] = connections;
    for (const c of rest) await c.close();
    if (first) await dropConnection(first);
  });

  it("concurrent joins over three instances never pass max and leave one order per member", async () => {
    const [a] = instances as [Harness];
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 2, max: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        (instances[i % 3] as Harness).engine.groups.join(`playground:n${i}`, code),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    const connection = connections[0] as Connection;
    expect(await connection.collection("orders").countDocuments({ groupCode: code })).toBe(5);
    expect(await connection.collection("groups").findOne({ _id: code as never })).toMatchObject({
      memberCount: 5,
      state: "complete",
      settled: true,
    });
  });

  it("a failed group is settled once: orders cancelled, one cancellation each", async () => {
    const [a, b] = instances as [Harness, Harness];
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 3, expiresInMs: HOUR });
    const { order } = await b.engine.groups.join("playground:solo", code);
    clock.advance(HOUR);
    await Promise.all([a.engine.groups.sweep(), b.engine.groups.sweep()]);
    expect(await a.engine.orders.get(order._id)).toMatchObject({ status: "cancelled" });
    const cancellations = (await a.engine.outbox.list({ kind: "shipping" })).filter(
      (m) => m.shipping?.idempotencyKey === `${order._id}:cancelled`,
    );
    expect(cancellations).toHaveLength(1);
  });

  it("a group closed by a process that died before settling it is settled by the next sweep", async () => {
    const [a] = instances as [Harness];
    const { code } = await a.engine.groups.open("playground:org", "KB-75", {
      size: 2,
      max: 5,
      expiresInMs: HOUR,
    });
    await a.engine.users.register("playground:p1", { region: "EU" });
    await a.engine.groups.join("playground:p1", code);
    await a.engine.groups.join("playground:p2", code);
    // What a crash right after the state change leaves behind.
    const connection = connections[0] as Connection;
    await connection
      .collection("groups")
      .updateOne(
        { _id: code as never },
        { $set: { state: "complete", settled: false, closedAt: clock.now() } },
      );
    expect(await connection.collection("points_ledger").countDocuments({ groupCode: code })).toBe(0);
    expect(await a.engine.groups.sweep()).toBe(1);
    expect(await connection.collection("groups").findOne({ _id: code as never })).toMatchObject({
      settled: true,
    });
    expect(await connection.collection("points_ledger").countDocuments({ groupCode: code })).toBe(1);
    const completionDms = (await a.engine.outbox.list({ kind: "dm" })).filter((m) =>
      m.dm?.text.startsWith(`Group ${code} for`),
    );
    expect(completionDms.map((m) => m.dm?.userKey).sort()).toEqual(["playground:p1", "playground:p2"]);
  });
});
