import type { Clock } from "../clock";
import { SYSTEM_ERROR_TEXT, UnavailableError, UserError, userError } from "../engine/errors";
import { isUnavailable } from "../engine/unavailable";
import type { Platform, Reply, UserIdentity } from "../kernel";
import type { Logger } from "../logger";
import type { CommandContext, CommandDefinition, CommandResult } from "./command";
import type { CommandEngine } from "./engine-port";
import type { Invocation } from "./invocation";
import type { MentionRef, MentionResolver, MentionSyntax } from "./mentions";
import { type ParsedCommand, parseOptions, parseText } from "./parse";
import { type ArgValue, ParsedArgs } from "./parsed-args";
import type { ProcessedEvents } from "./processed-events";
import { RecentlySeen } from "./recently-seen";
import type { SeenChannels } from "./seen-channels";

export interface RouterDeps {
  engine: CommandEngine;
  commands: readonly CommandDefinition[];
  events: ProcessedEvents;
  channels: SeenChannels;
  clock: Clock;
  log: Logger;
  /** Base of every link, without a trailing slash. */
  publicUrl: string;
  /** How each platform writes a mention into a command line (from its adapter's definition). */
  mentions: Readonly<Record<Platform, MentionSyntax>>;
}

export interface HandleOptions {
  /** Adapter-specific lookups (e.g. Telegram text_mention entities); falls back to the defaults. */
  resolveMention?: MentionResolver;
  /**
   * Whether the platform can message this person (by platform id) yet; the mentions it cannot
   * are listed in the reply's `unreachable`.
   */
  canReach?: (userId: string) => boolean;
  /**
   * The caller's admin standing where they typed the command, asked of the platform: `space` is
   * what the platform's admins govern there (a server, a workspace, a group chat) and `isAdmin`
   * asks whether the caller is one of them (throwing when the platform could not say). Absent where
   * the platform has no admins.
   */
  admin?: { space: string; isAdmin: () => Promise<boolean> };
}

export interface ChatRouter {
  readonly commands: readonly CommandDefinition[];
  /**
   * Runs one invocation and returns its reply. A repeated `eventId` never runs the command again:
   * the reply is the first one, marked `replayed` so an adapter that already delivered it can skip it.
   */
  handle(invocation: Invocation, options?: HandleOptions): Promise<Reply>;
}

const RUNNING_TEXT = "Still working on that command; the answer follows shortly.";

export function createRouter(deps: RouterDeps): ChatRouter {
  const { commands, log } = deps;
  const recentlySeen = new RecentlySeen();

  /** The command and its arguments, read from the invocation alone (no database). */
  function understand(invocation: Invocation): { command: CommandDefinition; parsed: ParsedCommand } {
    const command = findCommand(commands, invocation.command);
    if (!command) {
      throw userError("UNKNOWN_COMMAND", { command: clip(invocation.command) });
    }
    const mention = deps.mentions[invocation.platform];
    const syntax = (word: string) => mention?.(word, invocation.user);
    const parsed: ParsedCommand =
      "text" in invocation.args
        ? parseText(command, invocation.args.text, syntax)
        : parseOptions(command, invocation.args.options, invocation.args.subcommand, syntax);
    return { command, parsed };
  }

  async function run(
    invocation: Invocation,
    { command, parsed }: { command: CommandDefinition; parsed: ParsedCommand },
    options: HandleOptions,
  ): Promise<Reply> {
    // First sight: the caller (so later mentions resolve and DMs reach them) and the channel.
    const nowMs = deps.clock.now().getTime();
    const { user, channel } = invocation;
    // Apart: a channel full of people new to the bot is recorded once, not once per person. A
    // caller's first direct message is always recorded: on Telegram it is what opens their DMs.
    const userSeen = `u\u0000${invocation.platform}\u0000${user.id}\u0000${user.displayName ?? ""}\u0000${user.username ?? ""}\u0000${channel.kind}`;
    const channelSeen = `c\u0000${invocation.platform}\u0000${channel.id}\u0000${channel.kind}`;
    if (!recentlySeen.has(userSeen, nowMs)) {
      recentlySeen.mark(userSeen, nowMs);
      // Waited for: the command may read the caller's name (an invitation says who asked) and their
      // record must not overwrite what the command writes. Newcomers arriving together are still
      // written together, in a few bulk writes.
      await deps.engine.users.touch(user).catch((error: unknown) => {
        // The next command records them instead; in a direct chat this one says the database is
        // down (on Telegram the record is what lets the bot DM them again).
        recentlySeen.forget(userSeen);
        if (channel.kind === "direct") throw error;
        log.warn({ err: error, platform: invocation.platform }, "could not record a caller");
      });
    }
    if (!recentlySeen.has(channelSeen, nowMs)) {
      await deps.channels.record(invocation.platform, channel);
      recentlySeen.mark(channelSeen, nowMs);
    }

    const values = new Map<string, ArgValue>(parsed.values);
    // Everyone named is recorded together (placeholders for new people), however many there are.
    const named: UserIdentity[] = [];
    const unreachable: string[] = [];
    for (const [name, refs] of parsed.mentions) {
      const people: UserIdentity[] = [];
      for (const ref of refs) {
        const person = await resolve(ref, options, parsed.usage);
        people.push(person.identity);
        if (person.record) named.push(person.identity);
        if (options.canReach && !options.canReach(person.identity.id)) unreachable.push(ref.raw);
      }
      values.set(name, people);
    }
    if (named.length) await deps.engine.users.ensureMany(named);
    const ctx: CommandContext = {
      engine: deps.engine,
      invocation,
      eventKey: eventKeyOf(invocation),
      user: invocation.user,
      publicUrl: deps.publicUrl,
      clock: deps.clock,
      commands,
      rights: options.admin
        ? { space: `${invocation.platform}:${options.admin.space}`, isAdmin: options.admin.isAdmin }
        : {},
    };
    const handler = parsed.subcommand?.run ?? command.run;
    if (!handler) throw new Error(`command /${command.name} has no handler`);
    const reply = toReply(await handler(ctx, new ParsedArgs(values)), command.visibility);
    return unreachable.length ? { ...reply, unreachable } : reply;
  }

  /** Who a mention names; `record` when they may be new to the database (named by id, not found by name). */
  async function resolve(
    ref: MentionRef,
    options: HandleOptions,
    usage: string,
  ): Promise<{ identity: UserIdentity; record: boolean }> {
    const fromAdapter = options.resolveMention ? await options.resolveMention(ref) : undefined;
    if (fromAdapter) return { identity: fromAdapter, record: true };
    if (ref.id !== undefined) {
      const identity: UserIdentity = {
        platform: ref.platform,
        id: ref.id,
        ...(ref.displayName ? { displayName: ref.displayName } : {}),
        ...(ref.username ? { username: ref.username } : {}),
      };
      return { identity, record: true };
    }
    const known = ref.username ? await deps.engine.users.resolveByUsername(ref.platform, ref.username) : null;
    if (!known) {
      throw userError("UNKNOWN_MEMBER", { mention: clip(ref.raw), usage });
    }
    return {
      identity: {
        platform: ref.platform,
        id: known.platformId,
        displayName: known.displayName,
        ...(known.username ? { username: known.username } : {}),
      },
      record: false,
    };
  }

  return {
    commands,
    async handle(invocation, options = {}) {
      const key = eventKeyOf(invocation);
      const started = performance.now();
      let understood: ReturnType<typeof understand>;
      try {
        understood = understand(invocation);
      } catch (error) {
        return errorReply(error, invocation, log);
      }
      const replay = understood.parsed.subcommand?.replay ?? understood.command.replay ?? "record";
      if (replay !== "record") {
        // Nothing recorded here: a retry runs again, and a command that changes something finds
        // its own earlier effect by the event key it wrote with it.
        const reply = await run(invocation, understood, options).catch((error: unknown) =>
          errorReply(error, invocation, log),
        );
        logHandled(invocation, key, reply, started);
        return reply;
      }
      let claim: Awaited<ReturnType<ProcessedEvents["claim"]>>;
      try {
        claim = await deps.events.claim(key);
      } catch (error) {
        return errorReply(error, invocation, log);
      }
      if (claim.state === "done") return { ...claim.reply, replayed: true };
      if (claim.state === "running") return { text: RUNNING_TEXT, visibility: "private", replayed: true };

      let reply: Reply;
      try {
        reply = await run(invocation, understood, options);
      } catch (error) {
        reply = errorReply(error, invocation, log);
        if (!(error instanceof UserError)) {
          // Nothing was done (the engine writes all-or-nothing): a retry may run the command afresh.
          await deps.events.release(key).catch(() => {});
          return reply;
        }
      }
      await deps.events.complete(key, reply).catch((error: unknown) => {
        log.warn({ err: error, eventId: key }, "could not store a command reply; a retry would run it again");
      });
      logHandled(invocation, key, reply, started);
      return reply;
    },
  };

  /** At debug level: a line per command costs the server a synchronous write, as much as a round trip. */
  function logHandled(invocation: Invocation, eventId: string, reply: Reply, started: number): void {
    log.debug(
      {
        platform: invocation.platform,
        command: invocation.command,
        eventId,
        errorCode: reply.errorCode,
        ms: Math.round(performance.now() - started),
      },
      "command handled",
    );
  }
}

function eventKeyOf(invocation: Invocation): string {
  return `${invocation.platform}:${invocation.eventId}`;
}

/** Accepts `join`, `/join`, `JOIN` and Telegram's `join@crowdcart_bot`. */
export function findCommand(
  commands: readonly CommandDefinition[],
  name: string,
): CommandDefinition | undefined {
  const bare = name.trim().replace(/^\//, "").replace(/@.*$/, "").toLowerCase();
  return commands.find((c) => c.name === bare);
}

function toReply(result: CommandResult, visibility: Reply["visibility"]): Reply {
  if (typeof result === "string") return { text: result, visibility };
  return {
    text: result.text,
    visibility: result.visibility ?? visibility,
    ...(result.buttons?.length ? { buttons: result.buttons } : {}),
    ...(result.group ? { group: result.group } : {}),
    ...(result.replayed ? { replayed: true } : {}),
  };
}

/** Every failure becomes one line for the user; only our own bugs are logged with a stack. */
export function errorReply(error: unknown, invocation: Invocation, log: Logger): Reply {
  if (error instanceof UserError) {
    return { text: oneLine(error.message), visibility: "private", errorCode: error.code };
  }
  // The router's own records (idempotency, channels) reach the database outside the engine's guard.
  if (error instanceof UnavailableError || isUnavailable(error)) {
    log.warn(
      { platform: invocation.platform, command: invocation.command },
      "command refused: database unavailable",
    );
    const errorCode = "TEMPORARILY_UNAVAILABLE";
    return { text: SYSTEM_ERROR_TEXT[errorCode], visibility: "private", errorCode };
  }
  log.error({ err: error, platform: invocation.platform, command: invocation.command }, "command failed");
  const errorCode = "INTERNAL_ERROR";
  return { text: SYSTEM_ERROR_TEXT[errorCode], visibility: "private", errorCode };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
