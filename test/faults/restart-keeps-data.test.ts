import { afterAll, describe, expect, it } from "@jest/globals";
import { codeIn, playgroundSay } from "../support/playground-client";
import type { SpawnedService } from "../support/spawn-service";
import { killWithStore, onOneDataDir, storePidOf } from "../support/store-process";

/**
 * `npm start` on the embedded store keeps its data in DATA_DIR: a group opened and joined in the
 * playground, a cart and the points a full group pays back are all there after kill -9 of both
 * processes and a fresh start on the same directory.
 */
describe("kill -9 and start again on the same DATA_DIR", () => {
  const { dir, start, stopAll } = onOneDataDir("crowdcart-data-");
  afterAll(stopAll);

  it("finds the group, its members, the carts and the points again", async () => {
    const first = await start();
    expect(first.output.join("\n")).toContain(`data in ${dir}`);
    const expiries: number[] = [];
    // Links carry the port, which changes with each start (PORT=0); showing a cart is activity, so
    // its expiry moves on by the minutes between the two starts and is compared on its own below.
    const asked = (service: SpawnedService) => async (user: string, text: string) =>
      (await playgroundSay(service.base, user, text)).text
        .replace(/http:\/\/localhost:\d+/g, "PUBLIC_URL")
        .replace(/Expires (\S+ \S+) UTC/, (_line, at: string) => {
          expiries.push(Date.parse(`${at.replace(" ", "T")}Z`));
          return "Expires (time) UTC";
        });
    const say = asked(first);
    const opened = await say("olga", "/groupbuy KB-75 size=3 @ann @bob @dan");
    const group = codeIn(opened, "g");
    for (const member of ["ann", "bob", "dan"]) await say(member, `/join ${group}`);
    const cart = await say("cid", "/cart add KB-75 qty=2");
    const session = codeIn(cart, "s");
    const before = {
      group: await say("olga", `/group ${group}`),
      cart: await say("cid", "/cart show"),
      points: await say("ann", "/points"),
    };
    expect(before.group).toContain("Members: ann, bob, dan.");
    expect(before.cart).toContain("KB-75");
    // The full group paid its discount back as points.
    expect(before.points).toMatch(/[1-9]/);

    await killWithStore(first);

    const second = await start();
    const again = asked(second);
    expect(await again("olga", `/group ${group}`)).toBe(before.group);
    expect(await again("cid", "/cart show")).toBe(before.cart);
    // The cart kept its expiry: shown again after the restart, it expires no earlier than before.
    expect(expiries.at(-1)).toBeGreaterThanOrEqual(expiries.at(-2) ?? Number.NaN);
    expect(await again("ann", "/points")).toBe(before.points);
    expect((await fetch(`${second.base}/s/${session}`)).status).toBe(200);
  }, 180_000);
});

/** The store process dies under a running service: the service starts it again on the same data. */
describe("the embedded store killed under a running service", () => {
  const { start, stopAll } = onOneDataDir("crowdcart-store-restart-");
  afterAll(stopAll);

  it("comes back by itself with everything it had acknowledged", async () => {
    const service = await start();
    const base = service.base;
    const group = codeIn((await playgroundSay(base, "olga", "/groupbuy KB-75 size=4")).text, "g");
    await playgroundSay(base, "ann", `/join ${group}`);
    process.kill(storePidOf(service), "SIGKILL");
    // Until it is back, users are told to try again; then the group is there as it was.
    let reply = await playgroundSay(base, "olga", `/group ${group}`);
    for (let i = 0; i < 900 && !reply.text.includes("Members: ann."); i++) {
      expect(reply.text).toMatch(/temporarily unavailable|Members: ann\./);
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = await playgroundSay(base, "olga", `/group ${group}`);
    }
    expect(reply.text).toContain("Members: ann.");
    expect(service.output.join("\n")).toContain("starting it again");
    expect((await playgroundSay(base, "bob", `/join ${group}`)).text).toContain(`joined group ${group}`);
  }, 180_000);
});
