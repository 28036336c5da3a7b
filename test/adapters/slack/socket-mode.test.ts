import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { slackPlatform } from "../../../adapters/slack/platform";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { type Service, startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";
import { withSettings } from "../../support/platform-settings";
import {
  blockActionPayload,
  slackHeaders,
  slashCommandBody,
  slashCommandPayload,
} from "../../support/slack-sign";

let fake: FakeSlackApi;
let service: Service;

/** The service with Slack over Socket Mode: a bot token and an app token, no signing secret unless given. */
async function start(appToken: string, inlineReplyMs?: number, signingSecret?: string): Promise<Service> {
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      PLAYGROUND: "false",
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: appToken,
      SLACK_API_URL: fake.apiUrl,
      ...(signingSecret ? { SLACK_SIGNING_SECRET: signingSecret } : {}),
    },
    "/nonexistent/.env",
  );
  return startService(
    inlineReplyMs !== undefined
      ? withSettings(config, slackPlatform, { inlineReplyWithinMs: inlineReplyMs })
      : config,
    silentLogger,
    {
      mongodbUri: freshDatabaseUri("slack-socket"),
      engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
    },
  );
}

/** A slash command as Slack sends it over the socket; the reply rides on the ack or follows on response_url. */
async function command(userId: string, line: string) {
  const [name, ...rest] = line.split(" ");
  const responseUrl = fake.responseUrl();
  const delivery = await fake.socket.send(
    "slash_commands",
    slashCommandPayload({ command: name!, text: rest.join(" "), userId, responseUrl }),
  );
  const acked = delivery.ack as { text?: string; response_type?: string } | undefined;
  if (!acked?.text)
    await fake.waitFor(`a reply on ${responseUrl}`, () => fake.responsesTo(responseUrl).length > 0);
  const reply = acked?.text ? acked : (fake.responsesTo(responseUrl)[0]?.body as typeof acked);
  return { delivery, acked, reply: reply!, responseUrl };
}

beforeAll(async () => {
  fake = await startFakeSlackApi();
  // A generous wait, so a reply rides on the acknowledgement (the slow path is tested below).
  service = await start(fake.appToken, 2_000);
  await fake.socket.connected();
  // A first command warms the service up, whichever way it is answered: a cold one on a busy
  // machine can outrun the wait, and the tests below are about the path a command takes after it.
  await command("U0", "/catalog");
});
afterAll(async () => {
  await service?.stop();
  await fake?.close();
});

describe("Slack over Socket Mode", () => {
  it("connects out with the app token: apps.connections.open, then the WebSocket it names", () => {
    const opens = fake.callsTo("apps.connections.open");
    expect(opens.at(-1)).toMatchObject({ token: fake.appToken, status: 200 });
    expect(fake.socket.connections()).toBe(1);
  });

  it("needs no public address: /slack/events is not served", async () => {
    const res = await fetch(`http://127.0.0.1:${service.port}/slack/events`, { method: "POST", body: "x" });
    expect(res.status).toBe(404);
  });

  it("acknowledges a slash command envelope within 3 s, the reply in the acknowledgement's payload", async () => {
    const { delivery, acked } = await command("U1", "/catalog");
    expect(delivery.timedOut).toBe(false);
    expect(acked?.response_type).toBe("in_channel");
    expect(acked?.text).toContain("KB-75");
  });

  it("runs /groupbuy and /joingroup, and acknowledges a button click envelope", async () => {
    const opened = await command("U1", "/groupbuy KB-75 size=2 <@U2|bob>");
    const code = /Group code: ([0-9A-Z]+)/.exec(opened.reply.text ?? "")?.[1] ?? "";
    expect(code).toMatch(/^[0-9A-Z]{13}$/);
    await fake.waitFor("the invitation DM", () => fake.dmsTo("U2").length > 0);
    expect(String(fake.dmsTo("U2")[0]?.text)).toContain(`/joingroup ${code}`);

    const responseUrl = fake.responseUrl();
    const click = await fake.socket.send(
      "interactive",
      blockActionPayload({
        userId: "U2",
        channelId: "DU2",
        actionId: "crowdcart:run:0",
        value: `/join ${code}`,
        responseUrl,
      }),
    );
    expect(click.timedOut).toBe(false);
    await fake.waitFor("the click's reply", () => fake.responsesTo(responseUrl).length > 0);
    expect(String(fake.responsesTo(responseUrl)[0]?.body.text)).toContain(`joined group ${code}`);

    const joined = await command("U3", `/joingroup ${code}`);
    expect(joined.reply.text).toContain("complete");
  });

  it("with a signing secret as well, still answers signed requests at /slack/events", async () => {
    const secret = "socket-and-http-secret-123";
    const both = await start("xapp-1-A1-1-other", undefined, secret);
    try {
      const url = `http://127.0.0.1:${both.port}/slack/events`;
      const body = slashCommandBody({
        command: "/catalog",
        text: "",
        userId: "U1",
        responseUrl: fake.responseUrl(),
      });
      const form = { "content-type": "application/x-www-form-urlencoded" };
      expect((await fetch(url, { method: "POST", headers: form, body })).status).toBe(401);
      const signed = await fetch(url, {
        method: "POST",
        headers: { ...form, ...slackHeaders(body, secret) },
        body,
      });
      expect(signed.status).toBe(200);
    } finally {
      await both.stop();
    }
  });

  it("with a wrong app token opens no connection (Slack answers invalid_auth)", async () => {
    const before = fake.socket.connections();
    const opens = fake.callsTo("apps.connections.open").length;
    const other = await start("xapp-1-A1-1-wrong");
    try {
      await fake.waitFor("the refused apps.connections.open", () =>
        fake
          .callsTo("apps.connections.open")
          .slice(opens)
          .some((c) => c.token === "xapp-1-A1-1-wrong" && c.error === "invalid_auth"),
      );
      expect(fake.socket.connections()).toBe(before);
    } finally {
      await other.stop();
    }
  });
});

describe("a Socket Mode command slower than the short wait", () => {
  let slow: Service;
  beforeAll(async () => {
    await service.stop();
    slow = await start(fake.appToken, 0);
    await fake.waitFor("the new connection", () => fake.socket.connections() === 1);
    await fake.socket.connected();
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it("is acknowledged with an empty payload and answered through response_url", async () => {
    const { delivery, acked, reply } = await command("U1", "/cart add KB-75");
    expect(delivery.timedOut).toBe(false);
    expect(acked).toEqual({});
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain("/s/");
  });
});
