import { App, LogLevel, webApi } from "@slack/bolt";
import type { AdapterContext, ChatAdapter } from "../../src/platform";
import { slackAdmins } from "./admins";
import { boltLogger } from "./bolt-logger";
import { SlackCommandNames } from "./command-names";
import { INLINE_REPLY_WITHIN_MS, registerListeners } from "./listeners";
import { createSlackMessenger } from "./messenger";
import { HttpReceiver } from "./receiver";
import type { SlackSettings } from "./settings";
import { slackMentionNames } from "./user-names";

/**
 * Slack: slash commands and buttons in through Bolt (at POST /slack/events, or over Socket Mode
 * with an app token); DMs out through the Web API.
 */
export function createSlackAdapter(settings: SlackSettings, ctx: AdapterContext): ChatAdapter {
  const log = ctx.log.child({ adapter: "slack" });
  // The names commands carry on Slack (published, prefixed, renamed).
  const names = new SlackCommandNames(ctx.router.commands, settings.commandPrefix);
  const clientOptions = {
    ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
    // The outbox worker owns retries: a 429 comes back to it with Retry-After instead of blocking here.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  };
  const client = new webApi.WebClient(settings.botToken, clientOptions);
  const common = {
    // One workspace, one bot token: no per-event auth.test round trip.
    authorize: async () => ({ botToken: settings.botToken }),
    // No conversation state is kept in Bolt (the database holds it all); its default in-memory
    // store also builds an Error for every event from a conversation it has not seen.
    convoStore: false as const,
    clientOptions,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  };
  const receiver = settings.signingSecret
    ? new HttpReceiver({ signingSecret: settings.signingSecret, clock: ctx.clock, log })
    : undefined;
  const app = settings.appToken
    ? new App({
        ...common,
        socketMode: true,
        appToken: settings.appToken,
        // apps.connections.open is a Web API call: it goes to SLACK_API_URL like the others.
        installerOptions: { clientOptions: settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {} },
      })
    : new App({ ...common, receiver: receiver! });
  // With a signing secret as well, POST /slack/events keeps working beside Socket Mode (e.g. while
  // an app is switched from one to the other): it hands its events to the same app.
  if (settings.appToken && receiver) receiver.init(app);

  const resolveMention = slackMentionNames({ client, log });
  const adminOf = slackAdmins(client);
  registerListeners(app, {
    names,
    log,
    handle: (invocation) => {
      const admin = adminOf(invocation.user);
      return ctx.router.handle(invocation, { resolveMention, ...(admin ? { admin } : {}) });
    },
    inlineReplyWithinMs: settings.inlineReplyWithinMs ?? INLINE_REPLY_WITHIN_MS,
  });

  /** Checks the token in the background (auth.test) and logs the workspace; never blocks start. */
  async function checkToken(): Promise<void> {
    try {
      const auth = await client.auth.test();
      log.info({ team: auth.team, bot: auth.user }, "slack: connected");
    } catch (error) {
      log.warn(
        { error: error instanceof Error ? error.message : String(error) },
        "slack: auth.test failed; check SLACK_BOT_TOKEN",
      );
    }
  }

  return {
    mounts: receiver ? [{ path: "/slack/events", post: receiver.handle }] : [],
    messenger: createSlackMessenger({ client, log, names }),
    async start() {
      void checkToken();
      // Socket Mode connects out to Slack and keeps reconnecting: nothing else waits for it.
      if (settings.appToken) {
        void app
          .start()
          .then(() => log.info("slack: connected over Socket Mode"))
          .catch((error: unknown) => log.error({ err: error }, "slack adapter did not start"));
      }
    },
    async stop() {
      if (settings.appToken) await app.stop();
    },
  };
}
