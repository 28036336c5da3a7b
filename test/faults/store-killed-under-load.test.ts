import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";
import { type FulfillmentReceiver, startFulfillmentReceiver } from "../support/fulfillment-receiver";
import { codeIn, playgroundSay } from "../support/playground-client";
import { type SpawnedService, spawnService } from "../support/spawn-service";
import { killWithStore, storePidOf, storeUriOf } from "../support/store-process";

const SECRET = "fulfillment-secret-0123456789";
const JOINERS = 200;
const MAX = 150;
/** Shipping requests the outbox may have had in flight when the store died: only those may come twice. */
const IN_FLIGHT_LIMIT = 16;

async function until(
  condition: () => Promise<boolean> | boolean,
  limitMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * kill -9 of the embedded store under a 200-way join burst through the real service, then of the
 * service, and a fresh start on the same DATA_DIR: every join that was acknowledged has its order,
 * nobody has two, the group never exceeds max, and every order's shipping request arrives.
 */
describe("the embedded store killed under a join burst", () => {
  let receiver: FulfillmentReceiver;
  const dirs: string[] = [];
  const services: SpawnedService[] = [];

  beforeAll(async () => {
    receiver = await startFulfillmentReceiver(SECRET);
  });
  afterAll(async () => {
    for (const service of services) service.child.kill("SIGKILL");
    await Promise.all(services.map((s) => s.exited));
    await receiver.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const start = async (dir: string) => {
    const service = await spawnService({
      DATA_DIR: dir,
      FULFILLMENT_WEBHOOK_URL: receiver.url,
      FULFILLMENT_WEBHOOK_SECRET: SECRET,
    });
    services.push(service);
    return service;
  };

  /**
   * Opens a group, fires the burst, and calls `strike` (which kills both processes) once a
   * quarter of the joins are acknowledged; returns the group code and the users whose join was
   * acknowledged. Joins in flight then fail with the connection: the user was told nothing.
   */
  async function burst(service: SpawnedService, strike: () => Promise<void>) {
    const opened = await playgroundSay(service.base, "olga", `/groupbuy KB-75 size=2 max=${MAX}`);
    const group = codeIn(opened.text, "g");
    const acknowledged: string[] = [];
    let struck: Promise<void> | undefined;
    const replies = await Promise.all(
      Array.from({ length: JOINERS }, async (_, i) => {
        const user = `joiner${i}`;
        const reply = await playgroundSay(service.base, user, `/join ${group}`).catch(() => undefined);
        if (reply?.text.includes(`joined group ${group}`)) acknowledged.push(user);
        if (!struck && acknowledged.length >= JOINERS / 4) struck = strike();
        return reply;
      }),
    );
    await struck;
    for (const reply of replies) if (reply) expect(reply.status).toBe(200);
    return { group, acknowledged };
  }

  async function checkAfterRestart(dir: string, group: string, acknowledged: string[]) {
    const service = await start(dir);
    const client = await new MongoClient(storeUriOf(service)).connect();
    try {
      const orders = await client
        .db()
        .collection("orders")
        .find({ groupCode: group, status: "placed" })
        .toArray();
      const users = orders.map((o) => String(o.userKey));
      expect(new Set(users).size).toBe(users.length);
      expect(users.length).toBeLessThanOrEqual(MAX);
      for (const user of acknowledged) expect(users).toContain(`playground:${user}`);
      // Every order's shipping request arrives, and none that has no order.
      const ids = new Set(orders.map((o) => String(o._id)));
      const keysFor = () => receiver.received.map((r) => r.idempotencyKey).filter((k) => ids.has(String(k)));
      await until(() => new Set(keysFor()).size === ids.size, 60_000, "every shipping request delivered");
      const keys = keysFor();
      expect(keys.length - new Set(keys).size).toBeLessThanOrEqual(IN_FLIGHT_LIMIT);
      const groupKeys = receiver.received
        .filter((r) => JSON.parse(r.body).groupCode === group)
        .map((r) => String(r.idempotencyKey));
      for (const key of groupKeys) expect(ids.has(key)).toBe(true);
    } finally {
      await client.close();
    }
  }

  it("keeps every acknowledged order after kill -9 mid-burst", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crowdcart-burst-"));
    dirs.push(dir);
    const first = await start(dir);
    const { group, acknowledged } = await burst(first, () => killWithStore(first));
    expect(acknowledged.length).toBeGreaterThanOrEqual(JOINERS / 4);
    await checkAfterRestart(dir, group, acknowledged);
  }, 180_000);

  it("keeps every acknowledged order after kill -9 while a snapshot is being written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crowdcart-compact-"));
    dirs.push(dir);
    const first = await start(dir);
    // Enough data that writing a snapshot takes a while: the kill lands while it is half written.
    const client = await new MongoClient(storeUriOf(first)).connect();
    const filler = client.db().collection("filler");
    for (let round = 0; round < 20; round++)
      await filler.insertMany(Array.from({ length: 2500 }, (_, i) => ({ round, i, pad: "x".repeat(200) })));
    await client.close();
    const snapshotting = () => readdirSync(dir).some((f) => f.endsWith(".tmp"));
    const { group, acknowledged } = await burst(first, async () => {
      const pid = storePidOf(first);
      process.kill(pid, "SIGUSR2");
      await until(snapshotting, 30_000, "a snapshot being written");
      await killWithStore(first);
    });
    // The half-written snapshot is still there: the restart must ignore it and use the journal.
    expect(readdirSync(dir).some((f) => f.endsWith(".tmp"))).toBe(true);
    await checkAfterRestart(dir, group, acknowledged);
    expect(existsSync(join(dir, "LOCK"))).toBe(true);
    const reopened = new MongoClient(storeUriOf(services.at(-1)!));
    try {
      expect(await reopened.db().collection("filler").countDocuments()).toBe(50_000);
    } finally {
      await reopened.close();
    }
  }, 180_000);
});
