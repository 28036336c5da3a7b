import { setTimeout as sleep } from "node:timers/promises";
import type { App, RespondFn } from "@slack/bolt";
import type { Invocation } from "../../src/chat/invocation";
import type { Reply } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import type { SlackCommandNames } from "./command-names";
import { type ButtonPayload, buttonInvocation, commandInvocation, type SlashCommandPayload } from "./parse";
import { LINK_ACTION_PREFIX, RUN_ACTION_PREFIX, renderReply } from "./render";

/**
 * How long a command may take and still answer inside its acknowledgement (no second request).
 * Slack allows 3 s from the user's keystroke, and a busy server also loses time before and after
 * this wait, so the acknowledgement never waits long: a slower reply follows through response_url.
 */
export const INLINE_REPLY_WITHIN_MS = 500;

/**
 * Commands that run at once. Most of a command's time is a wait for the database, so steady
 * traffic (a few dozen commands in flight) runs as it comes, up to RUNNING_AT_ONCE. Once
 * commands queue up (a burst), only RUNNING_IN_A_BACKLOG run at once until the queue is gone,
 * the others waiting their turn (acknowledged empty when the inline wait runs out first): the
 * process then spends its time reading and acknowledging requests rather than interleaving the
 * work of hundreds of commands, and each command finishes sooner.
 */
export const RUNNING_AT_ONCE = 64;
export const RUNNING_IN_A_BACKLOG = 8;

/** Posts to a response_url that failed for a passing reason are tried this many times in all. */
const RESPOND_ATTEMPTS = 3;

export interface ListenerDeps {
  names: SlackCommandNames;
  log: Logger;
  /** Runs one invocation through the router (or answers that crowdcart is starting). */
  handle(invocation: Invocation): Promise<Reply>;
  inlineReplyWithinMs: number;
}

type Rendered = ReturnType<typeof renderReply>;

/** Slash commands and button clicks in; acknowledged first, answered inline or through response_url. */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const { names, log } = deps;
  // Replies name commands as the Slack user types them: `/joingroup`, or with the prefix.
  const render = (reply: Reply): Rendered => renderReply({ ...reply, text: names.rewrite(reply.text) });

  /** Sends the messages in order; an expired or used-up response_url is not retried. */
  async function follow(messages: Rendered, respond: RespondFn, command: string): Promise<void> {
    for (const message of messages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await respond(message);
          break;
        } catch (error) {
          const status = (error as { statusCode?: unknown }).statusCode;
          const final = attempt >= RESPOND_ATTEMPTS || (typeof status === "number" && status < 500);
          if (final) {
            log.error({ err: error, command, attempt }, "slack: a reply could not be posted to response_url");
            return;
          }
          await sleep(250 * 2 ** attempt);
        }
      }
    }
  }

  const turns = new Turns(RUNNING_AT_ONCE, RUNNING_IN_A_BACKLOG);
  const run = (invocation: Invocation) => turns.run(() => deps.handle(invocation));

  app.command(/^\/.+/, async ({ ack, command, body, respond }) => {
    const payload = command as unknown as SlashCommandPayload;
    const hash = (body as { crowdcart_body_hash?: string }).crowdcart_body_hash;
    const invocation = commandInvocation(payload, `command:${payload.trigger_id ?? hash}`, names);
    const replying = run(invocation);
    // Slack's 3-second rule: a reply ready within the short wait rides on the acknowledgement;
    // otherwise the acknowledgement goes out empty and the reply follows through response_url. The
    // wait is kept even when the server is busy: it is what holds a sender back, so a burst cannot
    // pile up unbounded work behind acknowledgements that went out at once.
    const inTime = await within(replying, deps.inlineReplyWithinMs);
    if (!inTime) {
      await ack();
      const reply = await replying;
      if (!reply.replayed) await follow(render(reply), respond, invocation.command);
      return;
    }
    // A retry of an event already answered: the first response already reached Slack.
    if (inTime.replayed) return void (await ack());
    const [first, ...rest] = render(inTime);
    await ack(first);
    await follow(rest, respond, invocation.command);
  });

  app.action(new RegExp(`^${RUN_ACTION_PREFIX}`), async ({ ack, body, action, respond }) => {
    await ack();
    const value = "value" in action && typeof action.value === "string" ? action.value : "";
    const actionTs = "action_ts" in action ? String(action.action_ts) : "";
    const invocation = buttonInvocation(value, body as unknown as ButtonPayload, actionTs, names);
    if (!invocation) return;
    const reply = await run(invocation);
    if (!reply.replayed) await follow(render(reply), respond, invocation.command);
  });

  // Link buttons open a URL in the browser; Slack still expects the click to be acknowledged.
  app.action(new RegExp(`^${LINK_ACTION_PREFIX}`), async ({ ack }) => {
    await ack();
  });

  app.error(async (error) => {
    log.error({ err: error }, "slack: listener failed");
  });
}

/** The reply if it is ready within `ms`, else undefined (it keeps running). A wait of 0 never waits. */
async function within(replying: Promise<Reply>, ms: number): Promise<Reply | undefined> {
  if (ms <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([replying, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * At most `limit` tasks at once while none wait, and `backlogLimit` while some do; the waiting
 * start in arrival order.
 */
export class Turns {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly backlogLimit: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.waiting.length === 0 && this.running < this.limit) this.running++;
    // A finished task hands its place straight to the next in line.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.running <= this.backlogLimit ? this.waiting.shift() : undefined;
      if (next) next();
      else this.running--;
    }
  }
}
