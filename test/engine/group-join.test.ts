import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import type { OutboxDoc } from "../../models";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness, HOUR, people } from "./support/harness";

function shippingBodies(messages: OutboxDoc[]): Record<string, unknown>[] {
  return messages.map((m) => JSON.parse(m.shipping?.body ?? "{}") as Record<string, unknown>);
}

describe("joining a group", () => {
  let connection: Connection;
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  beforeAll(async () => {
    connection = await freshConnection("join");
    h = await engineOn(connection);
    [alice, bob, carol, dave] = (await people(h.engine, "alice", "bob", "carol", "dave")) as [
      string,
      string,
      string,
      string,
    ];
    await h.engine.users.register(bob, { region: "eu" });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("places an order at list price, and its shipping request follows it into the outbox", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 3 });
    const joined = await h.engine.groups.join(bob, code.toLowerCase(), { qty: 2 });
    expect(joined.order).toMatchObject({
      userKey: bob,
      groupCode: code,
      sku: "KB-75",
      qty: 2,
      unitPrice: 12900,
      total: 25800,
      currency: "EUR",
      region: "EU",
      status: "placed",
    });
    expect(joined).toMatchObject({ memberCount: 1, completed: false });
    const shipping = await h.engine.outbox.list({ kind: "shipping" });
    expect(shippingBodies(shipping).filter((b) => b.orderId === joined.order._id)).toEqual([
      {
        orderId: joined.order._id,
        status: "requested",
        groupCode: code,
        sku: "KB-75",
        qty: 2,
        user: bob,
        region: "EU",
        createdAt: h.clock.now().toISOString(),
      },
    ]);
  });

  it("lets a member buy another product of the catalog in the same group", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 3 });
    const joined = await h.engine.groups.join(carol, code, { sku: "kc-pbt" });
    expect(joined.order).toMatchObject({ sku: "KC-PBT", unitPrice: 5900, groupCode: code });
    const view = await h.engine.groups.view(code);
    expect(view.memberCount).toBe(1);
  });

  it("lets the organiser join like anyone else", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 3 });
    await h.engine.groups.join(alice, code);
    expect((await h.engine.groups.view(code)).members.map((m) => m.displayName)).toEqual(["alice"]);
  });

  it("completes the group when it reaches max and then refuses further joins", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 2 });
    await h.engine.groups.join(bob, code);
    const second = await h.engine.groups.join(carol, code);
    expect(second.completed).toBe(true);
    expect((await h.engine.groups.view(code)).state).toBe("complete");
    expect(await errorCode(() => h.engine.groups.join(dave, code))).toBe("GROUP_COMPLETE");
  });

  it("refuses an unknown code, a second join, an expired group and a failed group, writing nothing", async () => {
    const ordersBefore = await connection.collection("orders").countDocuments();
    expect(await errorCode(() => h.engine.groups.join(bob, "7KQ3M9XW2HBPD"))).toBe("UNKNOWN_GROUP");
    expect(await errorCode(() => h.engine.groups.join(bob, "not-a-code"))).toBe("UNKNOWN_GROUP");

    const { code } = await h.engine.groups.open(alice, "KB-75", { size: 2, max: 3, expiresInMs: HOUR });
    await h.engine.groups.join(bob, code);
    expect(await errorCode(() => h.engine.groups.join(bob, code))).toBe("ALREADY_JOINED");
    expect(await errorCode(() => h.engine.groups.join(carol, code, { qty: 0 }))).toBe("INVALID_QTY");
    expect(await errorCode(() => h.engine.groups.join(carol, code, { sku: "NOPE" }))).toBe("UNKNOWN_PRODUCT");

    h.clock.advance(HOUR);
    expect(await errorCode(() => h.engine.groups.join(carol, code))).toBe("GROUP_EXPIRED");
    await h.engine.groups.sweep();
    expect(await errorCode(() => h.engine.groups.join(carol, code))).toBe("GROUP_FAILED");
    // Only bob's one successful join placed an order.
    expect(await connection.collection("orders").countDocuments()).toBe(ordersBefore + 1);
  });

  it("words an expiry refusal as one line with the deadline and what to do", async () => {
    const { code } = await h.engine.groups.open(alice, "KB-75", { expiresInMs: HOUR });
    h.clock.advance(2 * HOUR);
    await expect(h.engine.groups.join(dave, code)).rejects.toMatchObject({
      code: "GROUP_EXPIRED",
      message: expect.stringMatching(
        new RegExp(
          `^Group ${code} expired at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC; ask the organiser to open a new one$`,
        ),
      ),
    });
  });
});
