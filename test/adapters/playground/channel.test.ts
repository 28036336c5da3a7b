import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createPlaygroundChannel, type PlaygroundChannel } from "../../../adapters/playground/channel";
import { createPlaygroundInbox } from "../../../adapters/playground/inbox";
import { createPlaygroundMessenger } from "../../../adapters/playground/messenger";
import { ManualClock } from "../../../src/clock";
import type { Messenger } from "../../../src/engine/messenger";
import type { Service } from "../../../src/service";
import { startPlaygroundService } from "../contract/playground-driver";

// The service serves the page's poll; the messenger here writes to the same database on a clock
// the test moves, so an edit's time is plainly later than the post's.
let service: Service;
let base = "";
let channel: PlaygroundChannel;
let messenger: Messenger;
const clock = new ManualClock("2026-05-01T10:00:00Z");

beforeAll(async () => {
  service = await startPlaygroundService();
  base = `http://127.0.0.1:${service.port}`;
  const connection = service.db.connection;
  channel = createPlaygroundChannel(connection, clock);
  messenger = createPlaygroundMessenger(createPlaygroundInbox(connection, clock), channel);
});
afterAll(async () => {
  await service?.stop();
});

type Listed = { id: string; text: string; updatedAt: string }[];
const poll = async (since?: string): Promise<Listed> => {
  const query = since ? `?since=${encodeURIComponent(since)}` : "";
  return ((await (await fetch(`${base}/playground/channel${query}`)).json()) as { messages: Listed })
    .messages;
};

describe("playground channel", () => {
  it("shows a post once however often it is posted, and an edit comes again in the next poll with its new text", async () => {
    const card = { id: "card-1", platform: "playground", channelId: "playground", text: "1 of 3" };
    const posted = await messenger.post(card);
    expect(await messenger.post(card)).toEqual(posted);
    const first = await poll();
    expect(first.map((m) => [m.id, m.text])).toEqual([["card-1", "1 of 3"]]);
    clock.advance(1000);
    if (!posted.ok) throw new Error(posted.reason);
    expect(await messenger.edit(posted.ref, { text: "2 of 3" })).toEqual({ ok: true });
    const next = await poll(first.at(-1)?.updatedAt);
    expect(next.map((m) => [m.id, m.text])).toEqual([["card-1", "2 of 3"]]);
    expect(next[0]!.updatedAt > first[0]!.updatedAt).toBe(true);
  });

  it("does not report the same content again as a change", async () => {
    const posted = await messenger.post({
      id: "card-2",
      platform: "playground",
      channelId: "playground",
      text: "x",
    });
    if (!posted.ok) throw new Error(posted.reason);
    const before = (await poll()).find((m) => m.id === "card-2")?.updatedAt;
    clock.advance(1000);
    expect(await messenger.edit(posted.ref, { text: "x" })).toEqual({ ok: true });
    expect((await poll()).find((m) => m.id === "card-2")?.updatedAt).toBe(before);
  });

  it("lists only the channel asked for", async () => {
    await channel.post({ id: "elsewhere", platform: "playground", channelId: "other", text: "not here" });
    expect((await poll()).map((m) => m.id)).not.toContain("elsewhere");
  });
});
