import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { engineOn, type Harness, people } from "./support/harness";

/**
 * Joins that arrive while a join of the same group is being written go in together: one write of
 * the group for all of them, each still answered as if it had joined alone.
 */
describe("joins of one group, batched", () => {
  let connection: Connection;
  let h: Harness;
  /** How many times the group documents were written. */
  let groupWrites = 0;
  beforeAll(async () => {
    connection = await mongoose
      .createConnection(freshDatabaseUri("join_batches"), { monitorCommands: true })
      .asPromise();
    connection.getClient().on("commandStarted", (event) => {
      if (event.commandName === "findAndModify" && event.command.findAndModify === "groups") groupWrites++;
    });
    h = await engineOn(connection);
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  /** A group, and its joiners known here already, so their joins reach the group's queue at once. */
  const open = async (max: number, ...joiners: string[]) => {
    await people(h.engine, ...joiners);
    return (await h.engine.groups.open("playground:org", "KB-75", { size: 2, max })).code;
  };
  const join = (code: string, who: string, eventKey?: string) =>
    h.engine.groups.join(`playground:${who}`, code, eventKey ? { eventKey } : {});
  const group = (code: string) => connection.collection("groups").findOne({ _id: code as never });
  const ordersOf = (code: string) => connection.collection("orders").find({ groupCode: code }).toArray();

  it("admits the joins that waited in one write, each with its own count and order", async () => {
    const code = await open(10, "a1", "a2", "a3", "a4", "a5", "a6");
    groupWrites = 0;
    const results = await Promise.all(["a1", "a2", "a3", "a4", "a5", "a6"].map((who) => join(code, who)));
    // The first went alone, the five that arrived meanwhile together.
    expect(groupWrites).toBe(2);
    expect(results.map((r) => r.memberCount)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => r.order.userKey)).toEqual(
      ["a1", "a2", "a3", "a4", "a5", "a6"].map((who) => `playground:${who}`),
    );
    const stored = await group(code);
    expect(stored?.memberCount).toBe(6);
    expect(new Set((await ordersOf(code)).map((o) => String(o._id)))).toEqual(
      new Set(((stored?.members ?? []) as { orderId: string }[]).map((m) => m.orderId)),
    );
  });

  it("a batch that fills the group completes it once, on its last join", async () => {
    const code = await open(4, "b1", "b2", "b3", "b4");
    const results = await Promise.all(["b1", "b2", "b3", "b4"].map((who) => join(code, who)));
    expect(results.map((r) => r.completed)).toEqual([false, false, false, true]);
    expect(await group(code)).toMatchObject({ state: "complete", settled: true, memberCount: 4 });
  });

  it("a burst larger than the places left fills them in one write, and the rest are told it is full", async () => {
    const code = await open(3, "c1", "c2", "c3", "c4", "c5", "c6");
    groupWrites = 0;
    const results = await Promise.allSettled(
      ["c1", "c2", "c3", "c4", "c5", "c6"].map((who) => join(code, who)),
    );
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
    ]);
    for (const r of results.slice(3))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "GROUP_COMPLETE" });
    // The first alone, then the two places left in one write (and the write closing the full group);
    // the other three never reach the database.
    expect(groupWrites).toBe(3);
    expect(await ordersOf(code)).toHaveLength(3);
    expect((await group(code))?.memberCount).toBe(3);
  });

  it("a batch that finds fewer places than this process last saw (another instance took some) goes one by one", async () => {
    const code = await open(4, "e1", "e2", "e3", "e4");
    await join(code, "e1");
    // Another instance takes two places behind this process's back.
    await connection.collection("groups").updateOne(
      { _id: code as never },
      {
        $inc: { memberCount: 2 },
        $push: { members: { $each: [{ userKey: "x:1" }, { userKey: "x:2" }] } } as never,
      },
    );
    const results = await Promise.allSettled([join(code, "e2"), join(code, "e3"), join(code, "e4")]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect((await group(code))?.memberCount).toBe(4);
  });

  it("after the last place is taken, every member's retried event still gets its first answer", async () => {
    // A join's write returns only the entries it wrote; the group kept in memory once it is full
    // must still hold everyone, or an earlier member's retry would read "the group is full".
    const code = await open(2, "f1", "f2");
    const first = await join(code, "f1", "playground:ev-f1");
    const last = await join(code, "f2", "playground:ev-f2");
    expect(last.completed).toBe(true);
    for (const [who, answer] of [
      ["f1", first],
      ["f2", last],
    ] as const) {
      await expect(join(code, who, `playground:ev-${who}`)).resolves.toMatchObject({
        replayed: true,
        order: { _id: answer.order._id },
      });
    }
    await expect(join(code, "f3")).rejects.toMatchObject({ code: "GROUP_COMPLETE" });
  });

  it("one person twice in a batch joins once; a retried event in a batch gets its first answer", async () => {
    const code = await open(10, "d1", "d2", "d3");
    const first = await join(code, "d1", "playground:ev-d1");
    const [again, twice, dup, other] = await Promise.allSettled([
      join(code, "d1", "playground:ev-d1"),
      join(code, "d2"),
      join(code, "d2"),
      join(code, "d3"),
    ]);
    expect(again).toMatchObject({
      status: "fulfilled",
      value: { replayed: true, order: { _id: first.order._id } },
    });
    expect(twice).toMatchObject({ status: "fulfilled" });
    expect(dup).toMatchObject({ status: "rejected", reason: { code: "ALREADY_JOINED" } });
    expect(other).toMatchObject({ status: "fulfilled" });
    expect((await ordersOf(code)).map((o) => o.userKey).sort()).toEqual(
      ["d1", "d2", "d3"].map((who) => `playground:${who}`),
    );
  });
});
