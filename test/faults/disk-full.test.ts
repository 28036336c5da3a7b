import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { codeIn, playgroundSay } from "../support/playground-client";
import { killWithStore, limitFileSize, onOneDataDir, storePidOf } from "../support/store-process";

function journalBytes(dir: string): number {
  const name = readdirSync(dir).find((f) => f.startsWith("journal-"))!;
  return statSync(join(dir, name)).size;
}

/**
 * The embedded store's disk fills up under a running service: users are told to try again
 * later (one line, no half-done join), and once there is room everything carries on, with
 * every acknowledged join still there after kill -9 and a restart.
 */
describe("the embedded store's disk is full", () => {
  const { dir, start, stopAll } = onOneDataDir("crowdcart-full-");
  afterAll(stopAll);

  it("answers 'temporarily unavailable', loses nothing acknowledged, and recovers when there is room", async () => {
    const first = await start();
    const say = (user: string, text: string) => playgroundSay(first.base, user, text);
    const group = codeIn((await say("olga", "/groupbuy KB-75 size=5")).text, "g");
    expect((await say("ann", `/join ${group}`)).text).toContain(`joined group ${group}`);

    const store = storePidOf(first);
    limitFileSize(store, journalBytes(dir));
    const refused = await say("bob", `/join ${group}`);
    expect(refused.status).toBe(200);
    expect(refused.text).toMatch(/temporarily unavailable/);
    expect(refused.text.split("\n")).toHaveLength(1);

    limitFileSize(store, "unlimited");
    // Nothing of the refused join shows.
    expect((await say("olga", `/group ${group}`)).text).toContain("Members: ann.");
    expect((await say("cid", `/join ${group}`)).text).toContain(`joined group ${group}`);

    await killWithStore(first);
    const second = await start();
    expect((await playgroundSay(second.base, "olga", `/group ${group}`)).text).toContain(
      "Members: ann, cid.",
    );
  }, 180_000);
});
