import type { Connection } from "mongoose";
import type { Mount } from "./app";
import type { CommandDefinition } from "./chat/command";
import type { MentionRef } from "./chat/mentions";
import type { ChatRouter } from "./chat/router";
import type { Clock } from "./clock";
import type { VariableSpecs } from "./config/variables";
import type { Messenger } from "./engine/messenger";
import type { Users } from "./engine/users";
import type { Platform, UserIdentity } from "./kernel";
import type { Logger } from "./logger";
import type { SafeHtml } from "./web/html";

/** What every platform's settings say, whatever else they hold: whether its adapter runs. */
export interface PlatformSettings {
  enabled: boolean;
}

/** Every platform's settings by its id, as the configuration holds them. */
export type PlatformsSettings = Readonly<Record<Platform, PlatformSettings>>;

/**
 * One platform crowdcart speaks, as `adapters/<platform>/platform.ts` declares it: everything the
 * rest of crowdcart needs to know about it, so that adding a platform is its folder and one line in
 * `adapters/index.ts`. Loading it is cheap: the platform's libraries load in `create`, and only
 * for a platform that is on.
 */
export interface PlatformDefinition<S extends PlatformSettings = PlatformSettings> {
  /** The id users and messages carry (`slack`): lower-case letters. */
  readonly id: Platform;
  /** How people call it, on pages: "Slack", "Web chat". */
  readonly label: string;
  /** Its environment variables and their forms (validated at start with the rest). */
  readonly variables: VariableSpecs;
  /**
   * Its settings from its validated variables. A combination that cannot work throws a
   * ConfigError naming the variable; settings that are off still carry what pages and scripts
   * need (e.g. the names Slack's commands are published under).
   */
  configure(values: Record<string, unknown>, env: { production: boolean }): S;
  /** Recognises one word of a command line as a mention of a person on this platform. */
  parseMention(word: string, caller: UserIdentity): MentionRef | undefined;
  /**
   * The neutral command definitions in this platform's own form: Slack's app manifest, Discord's
   * registration body, Telegram's `setMyCommands` list, the playground's help lines.
   */
  publishedCommands(
    commands: readonly CommandDefinition[],
    input: { settings: S; publicUrl: string },
  ): unknown;
  /** How to send `command` from this platform, for the group page's "How to join". */
  joinHint(input: { command: string; settings: S; publicUrl: string }): SafeHtml;
  /** The adapter, for a platform whose settings are enabled. */
  create(settings: S, ctx: AdapterContext): ChatAdapter;
}

/** What an adapter is built with: the router is ready before any adapter exists. */
export interface AdapterContext {
  router: ChatRouter;
  /** People who wrote to the bot, looked up by their name on a platform (a mention typed as @name). */
  users: Pick<Users, "resolveByUsername">;
  /** The database, for what an adapter keeps of its own (the playground's transcripts). */
  connection: Connection;
  clock: Clock;
  log: Logger;
  /** Base of every link (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
}

/**
 * A running platform: requests in through its mounts and/or the connections it opens in `start`,
 * messages out through its messenger. It renders the neutral replies and publishes the neutral
 * command definitions in its own form (a manifest, a registration, a command list, a help page).
 */
export interface ChatAdapter {
  readonly mounts: readonly Mount[];
  readonly messenger: Messenger;
  /**
   * Opens its outbound connections, publishes its commands where the platform takes them at start
   * and registers its webhook. A platform that cannot be reached is logged, not fatal: crowdcart
   * still runs on the others.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One platform's settings, typed by its definition. */
export function settingsOf<S extends PlatformSettings>(
  config: { platforms: PlatformsSettings },
  platform: PlatformDefinition<S>,
): S {
  return config.platforms[platform.id] as S;
}
