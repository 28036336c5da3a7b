import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { engineOn, type Harness, HOUR } from "./support/harness";

describe("several engine instances on one database", () => {
  const connections: Connection[] = [];
  const instances: Harness[] = [];
  const clock = new ManualClock("2026-03-02T10:00:00Z");
  beforeAll(async () => {
    const uri = freshDatabaseUri("two");
    for (let i = 0; i < 4; i++) {
      const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
      connections.push(connection);
      instances.push(await engineOn(connection, { clock }));
    }
  });
  afterAll(async () => {
    for (const h of instances) await h.engine.stop();
    const [first, ...rest] = connections;
    for (const c of rest) await c.close();
    if (first) await dropConnection(first);
  });

  it("joins spread over four instances never pass max, and losers leave no order", async () => {
    const [a] = instances as [Harness];
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 3, max: 7 });
    const joins = Array.from({ length: 80 }, (_, i) =>
      (instances[i % instances.length] as Harness).engine.groups.join(`playground:m${i}`, code),
    );
    const results = await Promise.allSettled(joins);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(7);
    const connection = connections[0] as Connection;
    expect(await connection.collection("orders").countDocuments({ groupCode: code })).toBe(7);
    const group = await connection.collection("groups").findOne({ _id: code as never });
    expect(group).toMatchObject({ memberCount: 7, state: "complete", settled: true });
  });

  it("two sweepers close an expired group once: one ledger credit and one DM per member", async () => {
    const [a, b] = instances as [Harness, Harness];
    const { code } = await a.engine.groups.open("playground:org", "KB-75", {
      size: 3,
      max: 9,
      expiresInMs: HOUR,
    });
    for (const name of ["x", "y", "z"]) await b.engine.groups.join(`playground:${name}`, code);
    clock.advance(HOUR);
    await Promise.all([a.engine.groups.sweep(), b.engine.groups.sweep(), a.engine.groups.sweep()]);
    const connection = connections[0] as Connection;
    expect(await connection.collection("points_ledger").countDocuments({ groupCode: code })).toBe(3);
    const completionDms = (await a.engine.outbox.list({ kind: "dm" })).filter((m) =>
      m.dm?.text.startsWith(`Group ${code} for`),
    );
    expect(completionDms).toHaveLength(3);
  });

  it("running workers on every instance deliver each message exactly once", async () => {
    for (const h of instances) h.messenger.clear();
    const [a] = instances as [Harness];
    const members = Array.from({ length: 12 }, (_, i) => `playground:inv${i}`);
    await a.engine.groups.open("playground:org", "KB-75", { members });
    await Promise.all(instances.map((h) => h.engine.outbox.runOnce()));
    const delivered = instances.flatMap((h) => h.messenger.sent.map((m) => m.id));
    expect(delivered.length).toBeGreaterThanOrEqual(12);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(await a.engine.outbox.list({ status: "pending" })).toEqual([]);
  });
});
