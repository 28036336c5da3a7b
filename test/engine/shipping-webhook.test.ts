import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { dropConnection, freshConnection } from "../support/db";
import { startFulfillmentReceiver } from "../support/fulfillment-receiver";
import { engineOn, type Harness, HOUR, people } from "./support/harness";

const SECRET = "fulfillment-secret-0123456789";

describe("shipping requests to FULFILLMENT_WEBHOOK_URL", () => {
  let connection: Connection;
  let receiver: Awaited<ReturnType<typeof startFulfillmentReceiver>>;
  let h: Harness;
  let org: string;
  let bob: string;
  const answers: number[] = [];
  beforeAll(async () => {
    connection = await freshConnection("ship");
    receiver = await startFulfillmentReceiver(SECRET, answers);
    h = await engineOn(connection, {
      fulfillment: { url: receiver.url, secret: SECRET },
      outbox: { backoffBaseMs: 5_000 },
    });
    [org, bob] = (await people(h.engine, "org", "bob")) as [string, string];
    await h.engine.users.register(bob, { region: "EU" });
  });
  afterAll(async () => {
    await receiver.close();
    await dropConnection(connection);
  });

  it("POSTs the contract's JSON with a valid HMAC signature and the order id as Idempotency-Key", async () => {
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, max: 3 });
    const { order } = await h.engine.groups.join(bob, code, { qty: 3 });
    await h.engine.outbox.runOnce();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request?.validSignature).toBe(true);
    expect(request?.idempotencyKey).toBe(order._id);
    expect(JSON.parse(request?.body ?? "{}")).toEqual({
      orderId: order._id,
      status: "requested",
      groupCode: code,
      sku: "KB-75",
      qty: 3,
      user: bob,
      region: "EU",
      createdAt: h.clock.now().toISOString(),
    });
  });

  it("retries after a 500 with back-off, and never delivers again once a 2xx was received", async () => {
    receiver.received.length = 0;
    answers.push(500, 200);
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, max: 3 });
    const { order } = await h.engine.groups.join(bob, code);
    await h.engine.outbox.runOnce();
    expect(receiver.received.map((r) => r.idempotencyKey)).toEqual([order._id]);

    await h.engine.outbox.runOnce(); // not due yet
    expect(receiver.received).toHaveLength(1);
    h.clock.advance(5_000);
    await h.engine.outbox.runOnce();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);

    h.clock.advance(HOUR);
    await h.engine.outbox.runOnce();
    expect(receiver.received).toHaveLength(2);
  });

  it("sends a cancelled request with its own Idempotency-Key when the group fails", async () => {
    receiver.received.length = 0;
    const { code } = await h.engine.groups.open(org, "KB-75", { size: 2, expiresInMs: HOUR });
    const { order } = await h.engine.groups.join(bob, code);
    h.clock.advance(HOUR);
    await h.engine.groups.sweep();
    await h.engine.outbox.runOnce();
    expect(receiver.received.map((r) => r.idempotencyKey).sort()).toEqual([
      order._id,
      `${order._id}:cancelled`,
    ]);
    const cancelled = receiver.received.find((r) => r.idempotencyKey?.endsWith(":cancelled"));
    expect(cancelled?.validSignature).toBe(true);
    expect(JSON.parse(cancelled?.body ?? "{}")).toMatchObject({ orderId: order._id, status: "cancelled" });
  });
});
