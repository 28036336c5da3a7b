import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { type Service, startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";
import { blockActionBody, slackHeaders, slashCommandBody } from "../../support/slack-sign";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export interface SlackHarness {
  service: Service;
  fake: FakeSlackApi;
  /** POSTs raw bytes to /slack/events with the given headers. */
  post(body: string, headers: Record<string, string>): Promise<Response>;
  /** Runs a slash command as a signed request; its reply rides on the acknowledgement or follows on the response_url. */
  command(
    userId: string,
    line: string,
    opts?: { userName?: string; channelId?: string },
  ): Promise<SlashResult>;
  /** Sends the signed slash command without waiting for a reply. */
  send(body: string, extraHeaders?: Record<string, string>): Promise<Response>;
  /** Clicks a button whose action carries `value`, as `userId` in `channelId`, and waits for the reply. */
  click(userId: string, value: string, channelId: string, actionId?: string): Promise<SlashResult>;
  stop(): Promise<void>;
}

export interface SlashResult {
  status: number;
  ackBody: string;
  /** True when the reply came in the acknowledgement, false when it followed on the response_url. */
  inline: boolean;
  responseUrl: string;
  reply: { response_type?: string; text: string; blocks?: unknown[] };
}

/**
 * How long a command may take and still answer in the acknowledgement, unless a test says: far
 * beyond Slack's 2.5 s, so a cold first command on a busy machine still takes the inline path the
 * test expects (the slow path has its own test, with 0).
 */
const INLINE_REPLY_MS = 60_000;

/** The real service (real express app, real Bolt) with Slack on, talking to a fake Slack API. */
export async function startSlackHarness(options: { inlineReplyMs?: number } = {}): Promise<SlackHarness> {
  const fake = await startFakeSlackApi();
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: "xoxb-test-token-123",
      SLACK_API_URL: fake.apiUrl,
    },
    "/nonexistent/.env",
  );
  const service = await startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri("slack"),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
    slackInlineReplyMs: options.inlineReplyMs ?? INLINE_REPLY_MS,
  });
  const url = `http://127.0.0.1:${service.port}/slack/events`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", headers, body });
  const send = (body: string, extra: Record<string, string> = {}) =>
    post(body, {
      "content-type": "application/x-www-form-urlencoded",
      ...slackHeaders(body, SIGNING_SECRET),
      ...extra,
    });

  async function awaitReply(response: Response, responseUrl: string): Promise<SlashResult> {
    const ackBody = await response.text();
    const inline = inlineReply(ackBody);
    if (inline) return { status: response.status, ackBody, inline: true, responseUrl, reply: inline };
    await fake.waitFor(`a reply on ${responseUrl}`, () => fake.responsesTo(responseUrl).length > 0);
    const reply = fake.responsesTo(responseUrl)[0]!.body as SlashResult["reply"];
    return { status: response.status, ackBody, inline: false, responseUrl, reply };
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
        ...(opts.userName ? { userName: opts.userName } : {}),
        ...(opts.channelId ? { channelId: opts.channelId } : {}),
      });
      return awaitReply(await send(body), responseUrl);
    },
    async click(userId, value, channelId, actionId = "crowdcart:run:0") {
      const responseUrl = fake.responseUrl();
      const body = blockActionBody({ userId, channelId, actionId, value, responseUrl });
      return awaitReply(await send(body), responseUrl);
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
