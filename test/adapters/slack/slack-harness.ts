import { slackPlatform } from "../../../adapters/slack/platform";
import { type Clock, systemClock } from "../../../src/clock";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { type Service, startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { type FakeSlackApi, type SlackDelivery, startFakeSlackApi } from "../../support/fake-slack-api";
import { withSettings } from "../../support/platform-settings";
import { blockActionBody, slackHeaders, slashCommandBody } from "../../support/slack-sign";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SlackHarness {
  service: Service;
  fake: FakeSlackApi;
  /** POSTs raw bytes to /slack/events with the given headers. */
  post(body: string, headers: Record<string, string>): Promise<Response>;
  /**
   * Runs a slash command as Slack delivers it (signed, given up after 3 s); its reply rides on the
   * acknowledgement or follows on the response_url.
   */
  command(
    userId: string,
    line: string,
    opts?: { userName?: string; channelId?: string; teamId?: string; enterpriseId?: string },
  ): Promise<SlashResult>;
  /** Sends the signed slash command without waiting for a reply. */
  send(body: string, extraHeaders?: Record<string, string>): Promise<Response>;
  /** Clicks a button whose action carries `value`, as `userId` in `channelId`, and waits for the reply. */
  click(
    userId: string,
    value: string,
    channelId: string,
    opts?: { actionId?: string; teamId?: string; enterpriseId?: string; homeTeamId?: string },
  ): Promise<SlashResult>;
  stop(): Promise<void>;
}

export interface SlashResult {
  /** How Slack saw the acknowledgement (its time, whether it came within 3 s). */
  delivery: SlackDelivery;
  status: number;
  ackBody: string;
  /** True when the reply came in the acknowledgement, false when it followed on the response_url. */
  inline: boolean;
  responseUrl: string;
  reply: { response_type?: string; text: string; blocks?: unknown[] };
}

/** The real service (real express app, real Bolt) with Slack on, talking to a fake Slack API. */
export async function startSlackHarness(
  options: {
    inlineReplyMs?: number;
    env?: Record<string, string>;
    /** The service's clock; requests are signed at its time, since the receiver checks their age by it. */
    clock?: Clock;
  } = {},
): Promise<SlackHarness> {
  const clock = options.clock ?? systemClock;
  const fake = await startFakeSlackApi();
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
      ...options.env,
    },
    "/nonexistent/.env",
  );
  // Production's short wait unless a test says: a command slowed by a busy machine is acknowledged
  // in time and answers on its response_url, as in production, instead of missing Slack's 3 s.
  const service = await startService(
    options.inlineReplyMs !== undefined
      ? withSettings(config, slackPlatform, { inlineReplyWithinMs: options.inlineReplyMs })
      : config,
    silentLogger,
    {
      mongodbUri: freshDatabaseUri("slack"),
      engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
      clock,
    },
  );
  const signed = (body: string) =>
    slackHeaders(body, SIGNING_SECRET, Math.floor(clock.now().getTime() / 1000));
  const url = `http://127.0.0.1:${service.port}/slack/events`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", headers, body });
  const send = (body: string, extra: Record<string, string> = {}) =>
    post(body, {
      "content-type": "application/x-www-form-urlencoded",
      ...signed(body),
      ...extra,
    });

  async function deliverAndAwaitReply(body: string, responseUrl: string): Promise<SlashResult> {
    const delivery = await fake.deliver(url, body, {
      "content-type": "application/x-www-form-urlencoded",
      ...signed(body),
    });
    if (delivery.timedOut) throw new Error(`Slack gave up on ${body}: no acknowledgement within 3 s`);
    const { status, body: ackBody } = delivery.ack as { status: number; body: string };
    const inline = inlineReply(ackBody);
    if (inline) return { delivery, status, ackBody, inline: true, responseUrl, reply: inline };
    await fake.waitFor(`a reply on ${responseUrl}`, () => fake.responsesTo(responseUrl).length > 0);
    const reply = fake.responsesTo(responseUrl)[0]!.body as SlashResult["reply"];
    return { delivery, status, ackBody, inline: false, responseUrl, reply };
  }

  return {
    service,
    fake,
    post,
    send,
    async command(userId, line, opts = {}) {
      const [command, ...rest] = line.split(" ");
      const responseUrl = fake.responseUrl();
      const body = slashCommandBody({
        command: command!,
        text: rest.join(" "),
        userId,
        responseUrl,
        ...opts,
      });
      return deliverAndAwaitReply(body, responseUrl);
    },
    async click(userId, value, channelId, opts = {}) {
      const responseUrl = fake.responseUrl();
      const { actionId = "crowdcart:run:0", ...rest } = opts;
      const body = blockActionBody({ userId, channelId, actionId, value, responseUrl, ...rest });
      return deliverAndAwaitReply(body, responseUrl);
    },
    async stop() {
      await service.stop();
      await fake.close();
    },
  };
}

/** The reply carried by an acknowledgement body, if it carries one. */
export function inlineReply(ackBody: string): SlashResult["reply"] | undefined {
  if (!ackBody.startsWith("{")) return undefined;
  const body = JSON.parse(ackBody) as Partial<SlashResult["reply"]>;
  return typeof body.text === "string" ? (body as SlashResult["reply"]) : undefined;
}
