import { App, LogLevel, webApi } from "@slack/bolt";
import type { Mount } from "../../src/app";
import type { Reply } from "../../src/chat/invocation";
import type { ChatRouter } from "../../src/chat/router";
import type { Clock } from "../../src/clock";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import { boltLogger } from "./bolt-logger";
import type { SlackCommandNames } from "./command-names";
import { createSlackMessenger } from "./messenger";
import { buttonInvocation, commandInvocation, type SlashCommandPayload } from "./parse";
import { ExpressRouteReceiver } from "./receiver";
import { LINK_ACTION_PREFIX, RUN_ACTION_PREFIX, renderReply } from "./render";

export interface SlackConfig {
  /** Unset only with Socket Mode, where nothing arrives over HTTP. */
  signingSecret?: string | undefined;
  botToken: string;
  /** SLACK_API_URL: Web API base, e.g. a local fake in tests. */
  apiUrl?: string | undefined;
}

export interface SlackAdapter {
  /** POST /slack/events; none without a signing secret (Socket Mode receives nothing over HTTP). */
  mount: Mount | undefined;
  messenger: Messenger & { readonly unreachable: ReadonlySet<string> };
  app: App;
  /** Checks the token in the background (auth.test) and logs the workspace; never blocks start. */
  checkToken(): Promise<void>;
}

/** How long a command may take and still answer in the HTTP response (Slack allows 3 s). */
const INLINE_REPLY_WITHIN_MS = 2500;

/** Slack: slash commands and buttons in through Bolt at POST /slack/events; DMs out through the Web API. */
export function createSlackAdapter(deps: {
  config: SlackConfig;
  chat: () => ChatRouter | undefined;
  clock: Clock;
  log: Logger;
  /** The names commands carry on Slack (published, prefixed, renamed). */
  names: SlackCommandNames;
  /** How long a command may run and still answer in the acknowledgement (default 2.5 s). */
  inlineReplyWithinMs?: number;
}): SlackAdapter {
  const log = deps.log.child({ adapter: "slack" });
  const { names } = deps;
  // Replies name commands as the Slack user types them: `/joingroup`, or with the prefix.
  const render = (reply: Reply) => renderReply({ ...reply, text: names.rewrite(reply.text) });
  const clientOptions = {
    ...(deps.config.apiUrl ? { slackApiUrl: deps.config.apiUrl } : {}),
    // The outbox worker owns retries: a 429 comes back to it with Retry-After instead of blocking here.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  };
  const client = new webApi.WebClient(deps.config.botToken, clientOptions);
  const receiver = new ExpressRouteReceiver({
    signingSecret: deps.config.signingSecret ?? "",
    clock: deps.clock,
    log,
  });
  const app = new App({
    receiver,
    // One workspace, one bot token: no per-event auth.test round trip.
    authorize: async () => ({ botToken: deps.config.botToken }),
    // No conversation state is kept in Bolt (the database holds it all); its default in-memory
    // store also builds an Error for every event from a conversation it has not seen.
    convoStore: false,
    clientOptions,
    logger: boltLogger(log),
    logLevel: LogLevel.WARN,
  });

  function handle(invocation: Parameters<ChatRouter["handle"]>[0]): Promise<Reply> {
    const chat = deps.chat();
    return chat
      ? chat.handle(invocation)
      : Promise.resolve({
          text: "crowdcart is starting; try again in a few seconds.",
          visibility: "private",
        });
  }

  async function post(
    reply: Reply,
    command: string,
    respond: (message: ReturnType<typeof renderReply>) => Promise<unknown>,
  ): Promise<void> {
    // A retry of an event already answered: the first response already reached Slack.
    if (reply.replayed) return;
    await respond(render(reply)).catch((error: unknown) => {
      log.warn({ err: error, command }, "slack: could not post the reply to response_url");
    });
  }

  async function run(
    invocation: Parameters<ChatRouter["handle"]>[0],
    respond: (message: ReturnType<typeof renderReply>) => Promise<unknown>,
  ): Promise<void> {
    await post(await handle(invocation), invocation.command, respond);
  }

  app.command(/^\/.+/, async ({ ack, command, body, respond }) => {
    const payload = command as unknown as SlashCommandPayload;
    const hash = (body as { crowdcart_body_hash?: string }).crowdcart_body_hash;
    const eventId = `command:${payload.trigger_id ?? hash}`;
    const invocation = commandInvocation(payload, eventId, names);
    // Slack's 3-second rule: a reply ready in time rides on the acknowledgement itself (no second
    // request); a slower one is acknowledged empty and follows through response_url.
    const replying = handle(invocation);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, deps.inlineReplyWithinMs ?? INLINE_REPLY_WITHIN_MS, undefined);
    });
    const inTime = await Promise.race([replying, late]);
    clearTimeout(timer);
    if (inTime) {
      await ack(inTime.replayed ? undefined : render(inTime));
      return;
    }
    await ack();
    await post(await replying, invocation.command, respond);
  });

  app.action(new RegExp(`^${RUN_ACTION_PREFIX}`), async ({ ack, body, action, respond }) => {
    await ack();
    const value = "value" in action && typeof action.value === "string" ? action.value : "";
    const actions = body as unknown as {
      user: { id: string; name?: string; username?: string; team_id?: string };
      team?: { id?: string } | null;
      channel?: { id?: string };
      container?: { channel_id?: string };
      trigger_id?: string;
    };
    const teamId = actions.user.team_id ?? actions.team?.id ?? "";
    const actionTs = "action_ts" in action ? String(action.action_ts) : "";
    const invocation = buttonInvocation(
      {
        value,
        teamId,
        userId: actions.user.id,
        ...(actions.user.username || actions.user.name
          ? { userName: actions.user.username ?? actions.user.name }
          : {}),
        channelId: actions.channel?.id ?? actions.container?.channel_id ?? "unknown",
        eventId: `action:${actions.trigger_id ?? `${actions.user.id}:${actionTs}`}`,
        raw: body,
      },
      names,
    );
    if (invocation) await run(invocation, respond);
  });

  // Link buttons open a URL in the browser; Slack still expects the click to be acknowledged.
  app.action(new RegExp(`^${LINK_ACTION_PREFIX}`), async ({ ack }) => {
    await ack();
  });

  app.error(async (error) => {
    log.error({ err: error }, "slack: listener failed");
  });

  return {
    mount: deps.config.signingSecret ? { path: "/slack/events", router: receiver.router } : undefined,
    messenger: createSlackMessenger({ client, log, names }),
    app,
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
