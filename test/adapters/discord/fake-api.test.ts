import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { discordCommands } from "../../../adapters/discord/commands";
import { registerDiscordCommands } from "../../../adapters/discord/register";
import { createDiscordRest } from "../../../adapters/discord/send";
import { COMMANDS } from "../../../commands";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";

const APP_ID = "100000000000000031";
let api: FakeDiscordApi;

beforeAll(async () => {
  api = await startFakeDiscordApi({ applicationId: APP_ID });
});
afterAll(async () => {
  await api?.close();
});

async function call(
  method: string,
  route: string,
  body?: unknown,
  token: string | null = FAKE_DISCORD_TOKEN,
) {
  const res = await fetch(`${api.apiUrl}/v10${route}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bot ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>),
  };
}

const button = (custom_id: string) => ({ type: 2, style: 1, label: "Join", custom_id });

/** The fake refuses what Discord refuses, with Discord's own codes. */
describe("the fake Discord API", () => {
  it("refuses a request without the bot token with 401", async () => {
    for (const token of [null, "someone-else"]) {
      expect(await call("POST", "/users/@me/channels", { recipient_id: "1" }, token)).toEqual({
        status: 401,
        body: { code: 0, message: "401: Unauthorized" },
      });
    }
  });

  it("refuses content over 2,000 characters with 50035 and the errors tree, and an empty message with 50006", async () => {
    const channel = (await call("POST", "/users/@me/channels", { recipient_id: "5" })).body?.id as string;
    expect(await call("POST", `/channels/${channel}/messages`, { content: "x".repeat(2001) })).toEqual({
      status: 400,
      body: {
        code: 50035,
        message: "Invalid Form Body",
        errors: {
          content: {
            _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length." }],
          },
        },
      },
    });
    expect(await call("POST", `/channels/${channel}/messages`, { content: "" })).toEqual({
      status: 400,
      body: { code: 50006, message: "Cannot send an empty message" },
    });
    expect((await call("POST", `/channels/${channel}/messages`, { content: "x".repeat(2000) })).status).toBe(
      200,
    );
  });

  it("refuses malformed components with 50035", async () => {
    const post = (components: unknown) =>
      call("POST", `/webhooks/${APP_ID}/tok`, { content: "hi", components });
    const duplicate = await post([{ type: 1, components: [button("run:a"), button("run:a")] }]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toMatchObject({
      code: 50035,
      errors: { components: { 0: { components: { 1: { custom_id: {} } } } } },
    });
    expect((await post([{ type: 1, components: [] }])).body).toMatchObject({ code: 50035 });
    expect((await post([{ type: 1, components: [{ type: 2, style: 5, label: "Go" }] }])).body).toMatchObject({
      code: 50035,
    });
    const sixRows = Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [button(`run:${i}`)] }));
    expect((await post(sixRows)).body).toMatchObject({ code: 50035 });
    expect((await post([{ type: 1, components: [button("run:a"), button("run:b")] }])).status).toBe(200);
  });

  it("refuses a second initial callback to one interaction with 40060", async () => {
    const route = "/interactions/800000000000000001/itoken/callback";
    expect((await call("POST", route, { type: 5 }, null)).status).toBe(204);
    expect(await call("POST", route, { type: 5 }, null)).toEqual({
      status: 400,
      body: { code: 40060, message: "Interaction has already been acknowledged." },
    });
  });

  it("accepts the command definitions as registered, and refuses names and descriptions Discord refuses", async () => {
    const rest = createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl });
    const registered = await registerDiscordCommands(rest, APP_ID, COMMANDS);
    expect(registered.map((c) => c.name)).toEqual(COMMANDS.map((c) => c.name));
    const put = api.callsTo("PUT", new RegExp(`^/applications/${APP_ID}/commands$`)).at(-1);
    expect(put?.body).toEqual(discordCommands(COMMANDS));
    const walk = (entries: Array<{ name: string; description: string; options?: unknown[] }>): void => {
      for (const entry of entries) {
        expect(entry.name).toMatch(/^[-_a-z0-9]{1,32}$/);
        expect(entry.description.length).toBeGreaterThan(0);
        expect(entry.description.length).toBeLessThanOrEqual(100);
        walk((entry.options ?? []) as typeof entries);
      }
    };
    walk(put?.body as Parameters<typeof walk>[0]);

    const bad = [{ name: "Join", description: "x".repeat(101), type: 1, options: [] }];
    const refused = await call("PUT", `/applications/${APP_ID}/commands`, bad);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 50035, errors: { 0: { name: {}, description: {} } } });
  });
});
