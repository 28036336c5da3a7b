import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createDiscordAdapter, type DiscordAdapter } from "../../../adapters/discord";
import { type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";
import { countHandled } from "../../support/handled-count";
import { type ChatStack, eventually, PUBLIC_URL, startChatStack } from "../telegram/chat-stack";

const APP_ID = "100000000000000011";
const TOKEN = "fake-gateway-bot-token-0123456789";

let api: FakeDiscordApi;
let stack: ChatStack;
let adapter: DiscordAdapter;
let handled: () => number;

beforeAll(async () => {
  api = await startFakeDiscordApi({ applicationId: APP_ID, botToken: TOKEN });
  stack = await startChatStack("dcgw");
  handled = countHandled(stack.router);
  // No public key: the HTTP endpoint is off and the gateway is the only way in.
  adapter = createDiscordAdapter(
    {
      enabled: true,
      applicationId: APP_ID,
      botToken: TOKEN,
      publicKey: undefined,
      gateway: true,
      apiUrl: api.apiUrl,
    },
    stack.context(),
  );
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await stack?.close();
  await api?.close();
});

/** Fields every real INTERACTION_CREATE carries; discord.js builds its objects from them. */
const realFields = {
  entitlements: [],
  authorizing_integration_owners: { "0": "300000000000000003" },
  app_permissions: "0",
  locale: "en-US",
  context: 0,
  attachment_size_limit: 10_485_760,
};

describe("Discord gateway", () => {
  it("finds the gateway through GET /gateway/bot and identifies with the bot token", async () => {
    await api.waitForReady();
    expect(api.callsTo("GET", /^\/gateway\/bot$/)).toHaveLength(1);
    const identify = api.gatewayFrames.find((f) => f.op === 2);
    expect(((identify?.d ?? {}) as { token?: string }).token).toBe(TOKEN);
    expect(adapter.mounts).toEqual([]);
  });

  it("answers INTERACTION_CREATE with a deferred callback over REST, then the webhook follow-up", async () => {
    const interaction = {
      id: "600000000000000001",
      application_id: APP_ID,
      type: 2,
      ...realFields,
      token: "gateway-token-1",
      version: 1,
      guild_id: "300000000000000003",
      channel_id: "400000000000000004",
      member: { user: { id: "220000000000000001", username: "dora", global_name: "Dora" } },
      data: { id: "1", name: "groupbuy", type: 1, options: [{ name: "product", type: 3, value: "KB-75" }] },
    };
    api.dispatchInteraction(interaction);
    const callback = await eventually(
      () =>
        api.calls.find((c) => c.route === `/interactions/${interaction.id}/${interaction.token}/callback`),
      "the interaction callback",
    );
    expect(callback.method).toBe("POST");
    expect(callback.body).toEqual({ type: 5 });
    const edit = await eventually(
      () =>
        api.calls.find(
          (c) => c.method === "PATCH" && c.route.includes(`/webhooks/${APP_ID}/${interaction.token}`),
        ),
      "the follow-up",
    );
    expect(String((edit.body as { content?: string }).content)).toMatch(
      new RegExp(`${PUBLIC_URL}/g/[0-9A-Z]{13}`),
    );
  });

  it("gives an interaction delivered twice on the gateway a single effect", async () => {
    const interaction = {
      id: "600000000000000002",
      application_id: APP_ID,
      type: 2,
      ...realFields,
      authorizing_integration_owners: { "1": "220000000000000002" },
      context: 1,
      token: "gateway-token-2",
      version: 1,
      channel_id: "400000000000000005",
      user: { id: "220000000000000002", username: "eve" },
      data: { id: "1", name: "groupbuy", type: 1, options: [{ name: "product", type: 3, value: "KC-PBT" }] },
    };
    const before = handled();
    api.dispatchInteraction(interaction);
    api.dispatchInteraction(interaction);
    // Discord refuses the second acknowledgement (40060), as it would for a real duplicate, and that
    // refusal is where the duplicate stops: once both callbacks are answered and the first delivery's
    // command has finished, nothing is still running that could make a second group.
    const statuses = await eventually(() => {
      const callbacks = api.calls.filter((c) => c.route.includes(`/interactions/${interaction.id}/`));
      return callbacks.length === 2 && callbacks.every((c) => c.status > 0)
        ? callbacks.map((c) => c.status).sort()
        : undefined;
    }, "both callbacks answered");
    expect(statuses).toEqual([204, 400]);
    await eventually(() => (handled() >= before + 1 ? true : undefined), "the delivery handled");
    await eventually(
      () => api.calls.find((c) => c.method === "PATCH" && c.route.includes(interaction.token)),
      "the follow-up",
    );
    const groups = await stack.connection
      .collection("groups")
      .countDocuments({ organiserKey: "discord:220000000000000002" });
    const edits = api.calls.filter((c) => c.route.includes(`/webhooks/${APP_ID}/${interaction.token}`));
    expect(edits).toHaveLength(1);
    expect(groups).toBe(1);
  });

  it("runs a button's command from a gateway MESSAGE_COMPONENT, answering only the presser", async () => {
    const edit = api.calls.find(
      (c) => c.method === "PATCH" && c.route.includes("/webhooks/") && c.route.includes("gateway-token-1"),
    );
    const customId = JSON.stringify(edit?.body).match(/"custom_id":"(run:\/join [0-9A-Z]{13})"/)?.[1];
    expect(customId).toBeDefined();
    const click = {
      id: "600000000000000003",
      application_id: APP_ID,
      type: 3,
      ...realFields,
      token: "gateway-token-3",
      version: 1,
      guild_id: "300000000000000003",
      channel_id: "400000000000000004",
      member: { user: { id: "220000000000000009", username: "finn", global_name: "Finn" } },
      message: {
        id: "1",
        channel_id: "400000000000000004",
        content: "",
        author: { id: APP_ID, username: "crowdcart" },
      },
      data: { custom_id: customId, component_type: 2 },
    };
    api.dispatchInteraction(click);
    const callback = await eventually(
      () => api.calls.find((c) => c.route === `/interactions/${click.id}/${click.token}/callback`),
      "the button's callback",
    );
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } });
    const answer = await eventually(
      () =>
        api.calls.find((c) => c.method === "PATCH" && c.route.includes(`/webhooks/${APP_ID}/${click.token}`)),
      "the button's answer",
    );
    expect(String((answer.body as { content?: string }).content)).toContain(
      `joined group ${customId!.slice(-13)}`,
    );
  });
});
