import type { Clock } from "../clock";
import type { CallerRights } from "../engine/groups";
import type { Reply, UserIdentity } from "../kernel";
import type { CommandEngine } from "./engine-port";
import type { Invocation } from "./invocation";
import type { ParsedArgs } from "./parsed-args";

/**
 * The kinds of value a command accepts. Each kind has one validator (src/chat/arg-types.ts), so
 * a value typed on Slack, Telegram or the playground and a Discord option are checked the same way.
 */
export type ArgType =
  | "string"
  | "integer"
  | "duration"
  | "sku"
  | "code"
  | "mentions"
  | "email"
  | "region"
  | "command"
  | "choice";

interface ArgBase {
  /** The `key=` of the text grammar and the Discord option name (README "Commands"). */
  name: string;
  /** One line; shown in /help and as the Discord option description (≤ 100 characters). */
  description: string;
  required?: boolean;
  /** Positional words fill these in order; any argument can also be given as `name=value`. */
  positional?: boolean;
  /** How the usage line names the value, e.g. `sku` for the `product` option. Defaults to name. */
  placeholder?: string;
  /**
   * Typed as a word, it belongs to this argument only after `name` took `value` (`extend <dur>`);
   * `required` then means required with that value (Discord shows the option as optional).
   */
  after?: { name: string; value: string };
}

export type ArgSpec =
  /** `rest`: as a positional word, it also takes every word typed after it (a reason in words). */
  | (ArgBase & { type: "string"; maxLength: number; rest?: boolean })
  /** One word of a fixed list; Discord offers the list as the option's choices. */
  | (ArgBase & { type: "choice"; choices: readonly string[] })
  | (ArgBase & { type: "integer"; min: number; max: number })
  | (ArgBase & { type: "duration"; minMs: number; maxMs: number })
  | (ArgBase & { type: "sku" | "code" | "email" | "region" | "command" })
  /** Every mention anywhere on the line; on Discord a string option holding the mentions. */
  | (ArgBase & { type: "mentions"; maxCount: number });

/** What a handler gets besides its arguments. */
export interface CommandContext {
  engine: CommandEngine;
  invocation: Invocation;
  /**
   * `platform:eventId`, the same for every delivery of one chat event. Engine writes that must not
   * happen twice (a cart change, a group opened) carry it, so a retry whose first run's reply was
   * lost (a crash in between) finds the first run's effect instead of repeating it.
   */
  eventKey: string;
  /** The caller, as recorded on first sight. */
  user: UserIdentity;
  /** Base of every link (PUBLIC_URL), without a trailing slash. */
  publicUrl: string;
  clock: Clock;
  /** Every command, for /help. */
  commands: readonly CommandDefinition[];
  /** Where the caller typed this and whether they administer it, as their platform answers. */
  rights?: CallerRights;
}

/**
 * A handler's answer: text with plain URLs, optional buttons; visibility defaults to the command's.
 * `group`: the group it opened or shows (see Reply). `replayed`: this event's effect was already
 * there (a retry), so this is its first answer again.
 */
export type CommandResult =
  | string
  | (Pick<Reply, "text" | "buttons" | "group"> & { visibility?: Reply["visibility"]; replayed?: boolean });

/**
 * How a retried chat event is kept from acting twice:
 * - `record` (the default): the router records the event before running it and its reply after;
 * - `in-effect`: the command's own write carries the event key (a cart change, a group opened, a
 *   membership), so the effect and the proof of it are one write and no separate record is needed;
 * - `read-only`: nothing to repeat; a retry simply runs again.
 */
export type Replay = "record" | "in-effect" | "read-only";

export type CommandHandler = (ctx: CommandContext, args: ParsedArgs) => Promise<CommandResult>;

export interface SubcommandDefinition {
  name: string;
  description: string;
  args?: readonly ArgSpec[];
  run: CommandHandler;
  replay?: Replay;
}

/** One command, declared once: every platform's schema, the text grammar and /help come from this. */
export interface CommandDefinition {
  name: string;
  /** One line, ≤ 100 characters (Discord's limit). */
  description: string;
  /** Where the reply goes: `private` = only the caller where the platform allows. */
  visibility: "channel" | "private";
  /** Longer explanation and examples for `/help <command>`. */
  examples?: readonly string[];
  args?: readonly ArgSpec[];
  run?: CommandHandler;
  /** Commands like /cart: the first word picks one; none typed means `defaultSubcommand`. */
  subcommands?: readonly SubcommandDefinition[];
  defaultSubcommand?: string;
  replay?: Replay;
}
