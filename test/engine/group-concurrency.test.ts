import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, type Harness } from "./support/harness";

describe("concurrent joins", () => {
  let connection: Connection;
  let h: Harness;
  beforeAll(async () => {
    connection = await freshConnection("race");
    h = await engineOn(connection);
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("200 concurrent joins on a max=10 group leave exactly 10 members, 10 orders and 10 shipping requests", async () => {
    const organiser = (await h.engine.users.touch({ platform: "playground", id: "org" }))._id;
    const { code } = await h.engine.groups.open(organiser, "KB-75", { size: 5, max: 10 });
    const keys = Array.from({ length: 200 }, (_, i) => `playground:user${i}`);
    const results = await Promise.allSettled(keys.map((key) => h.engine.groups.join(key, code)));

    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(10);
    for (const r of lost) expect(r.reason).toMatchObject({ code: "GROUP_COMPLETE" });

    const orders = await connection.collection("orders").find({ groupCode: code }).toArray();
    expect(orders).toHaveLength(10);
    const group = await connection.collection("groups").findOne({ _id: code as never });
    expect(group?.memberCount).toBe(10);
    expect(group?.members).toHaveLength(10);
    expect(group?.state).toBe("complete");
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    expect(shipping).toHaveLength(10);
    // Every order belongs to a member and every member has an order.
    expect(new Set(orders.map((o) => o._id as unknown as string))).toEqual(
      new Set(((group?.members ?? []) as { orderId: string }[]).map((m) => m.orderId)),
    );
  });

  it("the same user joining twice at once becomes a member once", async () => {
    const organiser = "playground:org";
    const { code } = await h.engine.groups.open(organiser, "KB-75", { size: 2, max: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => h.engine.groups.join("playground:twin", code)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await connection.collection("orders").countDocuments({ groupCode: code })).toBe(1);
  });
});
