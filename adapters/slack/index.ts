import { App, LogLevel, webApi } from "@slack/bolt";
import type { Mount } from "../../src/app";
import type { Invocation } from "../../src/chat/invocation";
import type { ChatRouter } from "../../src/chat/router";
import type { Clock } from "../../src/clock";
import type { Messenger } from "../../src/engine/messenger";
import type { Reply } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import { boltLogger } from "./bolt-logger";
import type { SlackCommandNames } from "./command-names";
import { INLINE_REPLY_WITHIN_MS, registerListeners } from "./listeners";
import { createSlackMessenger } from "./messenger";
import { HttpReceiver } from "./receiver";
import { slackMentionNames } from "./user-names";

export interface SlackConfig {
  /** Unset only with Socket Mode, where nothing arrives over HTTP. */
  signingSecret?: string | undefined;
  botToken: string;
  /** SLACK_API_URL: Web API base, e.g. a local fake in tests. */
  apiUrl?: string | undefined;
  /** SLACK_APP_TOKEN (`xapp-…`): events come over Socket Mode instead of POST /slack/events. */
  appToken?: string | undefined;
}

export interface SlackAdapter {
  /** POST /slack/events, when there is a signing secret (Socket Mode needs none). */
  mount: Mount | undefined;
  messenger: Messenger;
  app: App;
  /** Socket Mode: opens the WebSocket (apps.connections.open, then `hello`). Over HTTP: nothing to do. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Checks the token in the background (auth.test) and logs the workspace; never blocks start. */
  checkToken(): Promise<void>;
}

/**
 * Slack: slash commands and buttons in through Bolt (at POST /slack/events, or over Socket Mode
 * with an app token); DMs out through the Web API.
 */
export function createSlackAdapter(deps: {
  config: SlackConfig;
  chat: () => ChatRouter | undefined;
  clock: Clock;
  log: Logger;
  /** The names commands carry on Slack (published, prefixed, renamed). */
  names: SlackCommandNames;
  /** How long a command may run and still answer in the acknowledgement. */
  inlineReplyWithinMs?: number;
}): SlackAdapter {
  const { config, names } = deps;
  const log = deps.log.child({ adapter: "slack" });
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // The outbox worker owns retries: a 429 comes back to it with Retry-After instead of blocking here.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  };
  const client = new webApi.WebClient(config.botToken, clientOptions);
  const common = {
    // One workspace, one bot token: no per-event auth.test round trip.
    authorize: async () => ({ botToken: config.botToken }),
    // No conversation state is kept in Bolt (the database holds it all); its default in-memory
    // store also builds an Error for every event from a conversation it has not seen.
    convoStore: false as const,
    clientOptions,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  };
  const receiver = config.signingSecret
    ? new HttpReceiver({ signingSecret: config.signingSecret, clock: deps.clock, log })
    : undefined;
  const app = config.appToken
    ? new App({
        ...common,
        socketMode: true,
        appToken: config.appToken,
        // apps.connections.open is a Web API call: it goes to SLACK_API_URL like the others.
        installerOptions: { clientOptions: config.apiUrl ? { slackApiUrl: config.apiUrl } : {} },
      })
    : new App({ ...common, receiver: receiver! });
  // With a signing secret as well, POST /slack/events keeps working beside Socket Mode (e.g. while
  // an app is switched from one to the other): it hands its events to the same app.
  if (config.appToken && receiver) receiver.init(app);

  const resolveMention = slackMentionNames({ client, log });
  function handle(invocation: Invocation): Promise<Reply> {
    const chat = deps.chat();
    return chat
      ? chat.handle(invocation, { resolveMention })
      : Promise.resolve({
          text: "crowdcart is starting; try again in a few seconds.",
          visibility: "private",
        });
  }
  registerListeners(app, {
    names,
    log,
    handle,
    inlineReplyWithinMs: deps.inlineReplyWithinMs ?? INLINE_REPLY_WITHIN_MS,
  });

  return {
    mount: receiver ? { path: "/slack/events", post: receiver.handle } : undefined,
    messenger: createSlackMessenger({ client, log, names }),
    app,
    async start() {
      if (!config.appToken) return;
      await app.start();
      log.info("slack: connected over Socket Mode");
    },
    async stop() {
      if (config.appToken) await app.stop();
    },
    async checkToken() {
      try {
        const auth = await client.auth.test();
        log.info({ team: auth.team, bot: auth.user }, "slack: connected");
      } catch (error) {
        log.warn(
          { error: error instanceof Error ? error.message : String(error) },
          "slack: auth.test failed; check SLACK_BOT_TOKEN",
        );
      }
    },
  };
}
