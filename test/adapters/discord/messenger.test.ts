import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { registerDiscordCommands } from "../../../adapters/discord/register";
import {
  createDiscordMessenger,
  createDiscordRest,
  DISCORD_PACE,
  DISCORD_REQUESTS_PER_SECOND,
} from "../../../adapters/discord/send";
import { COMMANDS } from "../../../commands";
import type { Messenger } from "../../../src/engine/messenger";
import { type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";

const TOKEN = "fake-discord-bot-token-0123456789";
let api: FakeDiscordApi;
let messenger: Messenger;

beforeAll(async () => {
  api = await startFakeDiscordApi();
  messenger = createDiscordMessenger(createDiscordRest({ token: TOKEN, apiUrl: api.apiUrl }, true));
});
afterAll(async () => {
  await api?.close();
});

const dm = (userId: string, id = "m1") => ({ id, platform: "discord" as const, userId, text: "hello" });

describe("Discord messenger", () => {
  it("sends DMs no faster than Discord's requests (each request then takes a slot of its own)", () => {
    expect(DISCORD_PACE.perSecond).toBeLessThanOrEqual(DISCORD_REQUESTS_PER_SECOND);
    expect(DISCORD_REQUESTS_PER_SECOND).toBeLessThanOrEqual(50);
  });

  it("opens the DM channel once, then posts with the bot token, honouring DISCORD_API_URL", async () => {
    expect(await messenger.send(dm("230000000000000001", "a"))).toEqual({ ok: true });
    expect(await messenger.send(dm("230000000000000001", "b"))).toEqual({ ok: true });
    const opened = api.callsTo("POST", /^\/users\/@me\/channels$/);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.body).toEqual({ recipient_id: "230000000000000001" });
    expect(opened[0]?.authorization).toBe(`Bot ${TOKEN}`);
    expect(api.dmsTo("230000000000000001")).toHaveLength(2);
  });

  it("reports 50007 (DMs closed) as a permanent failure", async () => {
    api.closeDms("230000000000000002");
    const result = await messenger.send(dm("230000000000000002"));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? "" : result.reason).toContain("50007");
  });

  it("reports 429 as retryable after Retry-After, and the retry goes through", async () => {
    api.rateLimitNext("POST", /^\/channels\/\d+\/messages$/, 2);
    const limited = await messenger.send(dm("230000000000000001", "c"));
    expect(limited).toMatchObject({ ok: false, retryable: true });
    expect(limited.ok || !limited.retryable ? 0 : (limited.retryAfterMs ?? 0)).toBeGreaterThanOrEqual(1000);
    // The fake's bucket resets; the outbox would wait retryAfterMs, the test just tries once more later.
    await new Promise((resolve) =>
      setTimeout(resolve, limited.ok || !limited.retryable ? 0 : limited.retryAfterMs),
    );
    expect(await messenger.send(dm("230000000000000001", "c"))).toEqual({ ok: true });
  });
});

describe("Discord messenger and rate-limit headers", () => {
  it("stops before the bucket the headers announce is exhausted, instead of provoking a 429", async () => {
    // A bucket of 3 that resets only after a minute: the four sends cannot straddle a reset, however
    // slow the machine.
    const limited = await startFakeDiscordApi({ requestsPerSecond: 3, bucketMs: 60_000 });
    try {
      const m = createDiscordMessenger(createDiscordRest({ token: TOKEN, apiUrl: limited.apiUrl }, true));
      const results = [];
      for (const id of ["a", "b", "c", "d"]) results.push(await m.send(dm("230000000000000009", id)));
      // open channel + 2 posts use the 3 requests; the next is held back by the client itself.
      expect(results.slice(0, 2)).toEqual([{ ok: true }, { ok: true }]);
      expect(results.slice(2)).toEqual([
        expect.objectContaining({ ok: false, retryable: true }),
        expect.objectContaining({ ok: false, retryable: true }),
      ]);
      expect(limited.calls.filter((c) => c.status === 429)).toHaveLength(0);
    } finally {
      await limited.close();
    }
  });
});

describe("slash command registration", () => {
  it("PUTs every command from the definitions with the option names of the command grammar", async () => {
    const rest = createDiscordRest({ token: TOKEN, apiUrl: api.apiUrl });
    const registered = await registerDiscordCommands(rest, "100000000000000001", COMMANDS);
    expect(registered.map((c) => c.name)).toEqual([
      "groupbuy",
      "join",
      "leave",
      "group",
      "cart",
      "catalog",
      "points",
      "register",
      "help",
    ]);
    const put = api.callsTo("PUT", /^\/applications\/100000000000000001\/commands$/).at(-1);
    type Opt = { name: string; type: number; options?: Opt[] };
    const body = put?.body as Array<{ name: string; options: Opt[] }>;
    const names = (name: string) =>
      body
        .find((c) => c.name === name)
        ?.options.map((o) => o.name)
        .sort();
    expect(names("groupbuy")).toEqual(["expires", "max", "members", "product", "size"]);
    expect(names("join")).toEqual(["code", "product", "qty"]);
    expect(names("leave")).toEqual(["code"]);
    expect(names("group")).toEqual(["action", "code", "duration", "reason"]);
    expect(names("cart")).toEqual(["add", "checkout", "remove", "resume", "show"]);
    const cart = body.find((c) => c.name === "cart")!;
    const sub = (n: string) =>
      cart.options
        .find((o) => o.name === n)
        ?.options?.map((o) => o.name)
        .sort();
    expect(sub("add")).toEqual(["qty", "sku"]);
    expect(sub("remove")).toEqual(["qty", "sku"]);
    expect(sub("resume")).toEqual(["code"]);
    expect(names("register")).toEqual(["email", "region"]);
    expect(names("help")).toEqual(["command"]);
    expect(names("catalog")).toEqual([]);
    expect(names("points")).toEqual([]);
  });
});
