import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { MISS_LIMIT } from "../../src/engine/guess-limit";
import { type EngineWebApp, startEngineWebApp } from "./support/engine-web-app";

/** Guessing group codes through the page counts against the visitor's address, as in chat. */
let world: EngineWebApp;
beforeAll(async () => {
  world = await startEngineWebApp("webguess");
});
afterAll(async () => {
  await world?.close();
});

describe("guessing group pages", () => {
  it("stops showing any group to an address that tried too many unknown codes, until the window ends", async () => {
    const owner = (await world.engine.users.touch({ platform: "playground", id: "owner" }))._id;
    const { code } = await world.engine.groups.open(owner, "KB-75", { size: 2 });
    expect((await fetch(`${world.app.base}/g/${code}`)).status).toBe(200);

    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      const res = await fetch(`${world.app.base}/g/QQQQQQQQQQQ${String(i).padStart(2, "0")}`);
      expect(res.status).toBe(404);
    }
    // Locked out: the real page is refused like any other, so a hit cannot be told from a miss.
    expect((await fetch(`${world.app.base}/g/${code}`)).status).toBe(404);
    const misses = await world.engine.core.guesses.model.findById("web:127.0.0.1").lean();
    expect(misses?.misses).toBe(MISS_LIMIT.maxMisses);

    world.clock.advance(MISS_LIMIT.windowMs + 1);
    expect((await fetch(`${world.app.base}/g/${code}`)).status).toBe(200);
  });
});
