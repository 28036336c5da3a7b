import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { DiscordAPIError, Routes } from "discord.js";
import { createDiscordMessenger, createDiscordRest } from "../../../adapters/discord/send";
import type { Messenger, TakeSlot } from "../../../src/engine/messenger";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";

let api: FakeDiscordApi;
let messenger: Messenger;

beforeAll(async () => {
  api = await startFakeDiscordApi();
  messenger = createDiscordMessenger(
    createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl }, true),
  );
});
afterAll(async () => {
  await api?.close();
});

const card = (id: string, channelId: string, text = "card") => ({ id, platform: "discord", channelId, text });

describe("Discord channel messages", () => {
  it("posts the same card id once: the nonce makes Discord answer a repeat with the first message", async () => {
    const first = await messenger.post(card("card-1", "500000000000000001"));
    const again = await messenger.post(card("card-1", "500000000000000001"));
    expect(first).toMatchObject({ ok: true });
    expect(again).toEqual(first);
    const posts = api.callsTo("POST", /^\/channels\/500000000000000001\/messages$/);
    expect(posts.map((c) => c.duplicate ?? false)).toEqual([false, true]);
    expect((await messenger.post(card("card-2", "500000000000000001"))).ok).toBe(true);
    expect(
      api.callsTo("POST", /^\/channels\/500000000000000001\/messages$/).filter((c) => !c.duplicate),
    ).toHaveLength(2);
  });

  it("takes a slot of the bot's global requests budget for a post and for an edit", async () => {
    const taken: string[] = [];
    const takeSlot: TakeSlot = async (budget, perSecond) => void taken.push(`${budget}@${perSecond}`);
    const posted = await messenger.post(card("card-3", "500000000000000002"), takeSlot);
    if (!posted.ok) throw new Error(posted.reason);
    await messenger.edit(posted.ref, { text: "b" }, takeSlot);
    expect(taken).toEqual(["requests@50", "requests@50"]);
  });

  it("surfaces the fake's refusals through @discordjs/rest with Discord's codes: 50035 over 2,000, 10008, 50005, 50013", async () => {
    const rest = createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl });
    const posted = await messenger.post(card("card-4", "500000000000000003"));
    if (!posted.ok) throw new Error(posted.reason);
    const [channel, id] = posted.ref.split(":") as [string, string];
    const patch = (channelId: string, messageId: string, content: string) =>
      rest.patch(Routes.channelMessage(channelId, messageId), { body: { content } }).then(
        () => undefined,
        (error: unknown) => (error instanceof DiscordAPIError ? [error.status, error.code] : error),
      );
    expect(await patch(channel, id, "x".repeat(2001))).toEqual([400, 50035]);
    expect(await patch(channel, "1", "x")).toEqual([404, 10008]);
    expect(await patch(channel, api.postAsUser(channel, "230000000000000002", "hi"), "x")).toEqual([
      403, 50005,
    ]);
    expect(await patch(channel, id, "fine")).toBeUndefined();
    expect(api.message(channel, id)?.content).toBe("fine");
    api.revokePermissions(channel);
    expect(await patch(channel, id, "x")).toEqual([403, 50013]);
  });

  it("refuses content too long for one message, not calling Discord; such an edit is refused, not gone", async () => {
    const before = api.calls.length;
    expect(await messenger.post(card("card-5", "500000000000000004", "x ".repeat(1500)))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(api.calls.length).toBe(before);
    const posted = await messenger.post(card("card-6", "500000000000000004"));
    if (!posted.ok) throw new Error(posted.reason);
    expect(await messenger.edit(posted.ref, { text: "x ".repeat(1500) })).toMatchObject({
      ok: false,
      gone: false,
    });
  });

  it("can reach a snowflake (whether their DMs are open only a DM tells), never a name", () => {
    expect(messenger.canReach("230000000000000001")).toBe(true);
    expect(messenger.canReach("ann")).toBe(false);
  });
});
