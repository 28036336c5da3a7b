import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { createEngine, type Engine } from "../../src/engine";
import { MISS_LIMIT } from "../../src/engine/guess-limit";
import { silentLogger } from "../../src/logger";
import { engineCartViews, engineGroupViews } from "../../src/web/engine-views";
import type { CartViews, GroupViews } from "../../src/web/model";
import { dropConnection, freshConnection } from "../support/db";
import { startWebApp, type WebApp } from "./support/web-app";

/** Guessing group codes through the page counts against the visitor's address, as in chat. */
let connection: Connection;
let engine: Engine;
let app: WebApp<GroupViews, CartViews>;
const clock = new ManualClock("2026-03-02T10:00:00Z");

beforeAll(async () => {
  connection = await freshConnection("webguess");
  engine = createEngine({
    connection,
    clock,
    log: silentLogger,
    publicUrl: "https://shop.test",
    groupTtlMs: 48 * 3_600_000,
    session: { ttlMs: 30 * 60_000, maxBadAttempts: 3, badAttemptDelayMs: 0 },
  });
  await Promise.all(Object.values(engine.core.ctx.models).map((model) => model.init()));
  await engine.catalog.load();
  app = await startWebApp({
    groups: engineGroupViews(engine.groups),
    carts: engineCartViews(engine.carts),
    clock,
  });
});
afterAll(async () => {
  await app?.close();
  await dropConnection(connection);
});

describe("guessing group pages", () => {
  it("stops showing any group to an address that tried too many unknown codes, until the window ends", async () => {
    const owner = (await engine.users.touch({ platform: "playground", id: "owner" }))._id;
    const { code } = await engine.groups.open(owner, "KB-75", { size: 2 });
    expect((await fetch(`${app.base}/g/${code}`)).status).toBe(200);

    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      const res = await fetch(`${app.base}/g/QQQQQQQQQQQ${String(i).padStart(2, "0")}`);
      expect(res.status).toBe(404);
    }
    // Locked out: the real page is refused like any other, so a hit cannot be told from a miss.
    expect((await fetch(`${app.base}/g/${code}`)).status).toBe(404);
    const misses = await engine.core.guesses.model.findById("web:127.0.0.1").lean();
    expect(misses?.misses).toBe(MISS_LIMIT.maxMisses);

    clock.advance(MISS_LIMIT.windowMs + 1);
    expect((await fetch(`${app.base}/g/${code}`)).status).toBe(200);
  });
});
