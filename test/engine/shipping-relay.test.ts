import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { startFulfillmentReceiver } from "../support/fulfillment-receiver";
import { engineOn, type Harness, HOUR } from "./support/harness";

const SECRET = "fulfillment-secret-0123456789";

/**
 * A `/join` commits its order alone and the outbox relays the order's shipping request after:
 * whatever dies or runs twice in between, each request is stored once, and none is lost.
 */
describe("the shipping relay", () => {
  const connections: Connection[] = [];
  const clock = new ManualClock("2026-03-02T10:00:00Z");
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    const uri = freshDatabaseUri("relay");
    for (let i = 0; i < 2; i++) {
      connections.push(
        await mongoose
          .createConnection(uri, { serverSelectionTimeoutMS: 5000, monitorCommands: true })
          .asPromise(),
      );
    }
    a = await engineOn(connections[0]!, { clock });
    b = await engineOn(connections[1]!, { clock });
  });
  afterAll(async () => {
    await connections[1]?.close();
    if (connections[0]) await dropConnection(connections[0]);
  });

  const db = () => connections[0]!.db!;
  const requestsFor = (orderId: string) =>
    db().collection("outbox").find({ "shipping.orderId": orderId }).toArray();
  const orderDoc = (orderId: string) =>
    db()
      .collection("orders")
      .findOne({ _id: orderId as never });

  it("queues a join's request after the order is committed, and marks the order", async () => {
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 2, max: 5 });
    const { order } = await a.engine.groups.join("playground:ann", code);
    expect(await orderDoc(order._id)).toMatchObject({ status: "placed", shippingQueued: false });
    expect(await requestsFor(order._id)).toEqual([]);

    await a.engine.outbox.runOnce();
    expect(await orderDoc(order._id)).toMatchObject({ shippingQueued: true });
    expect((await requestsFor(order._id)).map((m) => m.shipping.idempotencyKey)).toEqual([order._id]);
  });

  it("a relay that died after queueing but before marking: the next pass stores the request once", async () => {
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 2, max: 5 });
    const { order } = await a.engine.groups.join("playground:bea", code);
    // The first half of a pass, as a process that died right after it left things.
    await a.engine.outbox.writer.shippingRequests([order]);
    expect(await orderDoc(order._id)).toMatchObject({ shippingQueued: false });

    await b.engine.outbox.runOnce();
    const requests = await requestsFor(order._id);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: "held", attempts: 1 });
    expect(await orderDoc(order._id)).toMatchObject({ shippingQueued: true });
  });

  it("two instances relaying the same orders at once store each request once", async () => {
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 2, max: 50 });
    const joined = await Promise.all(
      Array.from({ length: 30 }, (_, i) => a.engine.groups.join(`playground:two${i}`, code)),
    );
    await Promise.all([a.engine.outbox.list(), b.engine.outbox.list(), a.engine.outbox.runOnce()]);
    for (const { order } of joined) expect(await requestsFor(order._id)).toHaveLength(1);
    expect(await db().collection("orders").countDocuments({ shippingQueued: false })).toBe(0);
  });

  it("without a fulfillment URL keeps the requests held at once, and an instance with a URL sends each once", async () => {
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 2, max: 5 });
    const joined = await Promise.all(
      ["held1", "held2"].map((who) => a.engine.groups.join(`playground:${who}`, code)),
    );
    await a.engine.outbox.runOnce();
    // Held by the relay itself: no claim ever counted an attempt on them.
    for (const { order } of joined) {
      expect(await requestsFor(order._id)).toMatchObject([{ status: "held", attempts: 0 }]);
    }

    const receiver = await startFulfillmentReceiver(SECRET);
    try {
      const shipper = await engineOn(connections[1]!, {
        clock,
        fulfillment: { url: receiver.url, secret: SECRET },
      });
      await shipper.engine.outbox.runOnce();
      await shipper.engine.outbox.runOnce();
      const keys = receiver.received.map((r) => r.idempotencyKey);
      for (const { order } of joined) expect(keys.filter((k) => k === order._id)).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("a group that fails before its orders were relayed sends each request before its cancellation", async () => {
    const { code } = await a.engine.groups.open("playground:org", "KB-75", { size: 3, expiresInMs: HOUR });
    const { order } = await a.engine.groups.join("playground:cid", code);
    clock.advance(HOUR);
    await a.engine.groups.sweep();
    const keys = (await requestsFor(order._id)).map((m) => m.shipping.idempotencyKey);
    expect(keys.sort()).toEqual([order._id, `${order._id}:cancelled`]);

    // Both are due at once and the shop refuses the first it gets: the cancellation still arrives
    // only after the request was accepted, whichever the worker picked up first.
    const receiver = await startFulfillmentReceiver(SECRET, [503]);
    try {
      const shipper = await engineOn(connections[1]!, {
        clock,
        fulfillment: { url: receiver.url, secret: SECRET },
      });
      for (let pass = 0; pass < 5; pass++) {
        await shipper.engine.outbox.runOnce();
        clock.advance(60_000);
      }
      const arrived = receiver.received.map((r) => r.idempotencyKey);
      expect(arrived.filter((key) => key === `${order._id}:cancelled`)).toHaveLength(1);
      expect(arrived.at(-1)).toBe(`${order._id}:cancelled`);
      expect(arrived.slice(0, -1).every((key) => key === order._id)).toBe(true);
      expect(await orderDoc(order._id)).toMatchObject({ status: "cancelled", shippingQueued: true });
    } finally {
      await receiver.close();
    }
  });
});
