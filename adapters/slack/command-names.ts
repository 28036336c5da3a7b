import type { CommandDefinition } from "../../src/chat/command";

/**
 * Slack's own slash commands. A manifest that declares one of them is refused as a whole ("the
 * slash command has an invalid name"), so none of these may ever be published by crowdcart.
 */
export const SLACK_BUILT_IN_COMMANDS: ReadonlySet<string> = new Set([
  "active",
  "apps",
  "archive",
  "away",
  "call",
  "close",
  "collapse",
  "dm",
  "dnd",
  "expand",
  "feed",
  "feedback",
  "giphy",
  "invite",
  "invite_people",
  "join",
  "kick",
  "leave",
  "me",
  "msg",
  "mute",
  "open",
  "part",
  "prefs",
  "pro",
  "remind",
  "remove",
  "rename",
  "search",
  "shortcuts",
  "shrug",
  "star",
  "status",
  "topic",
  "who",
]);

/** Our commands whose names Slack keeps for itself, and the names they take on Slack instead. */
const RENAMED_ON_SLACK: Readonly<Record<string, string>> = { join: "joingroup", leave: "leavegroup" };

/** `join` → `joingroup` (with the prefix `cc-`: `cc-joingroup`), without the slash. */
export function slackCommandName(name: string, prefix: string): string {
  return `${prefix}${RENAMED_ON_SLACK[name] ?? name}`;
}

/**
 * `/crowdcart <command> [arguments]` runs any command: Slack slash commands are not namespaced, so
 * when another app in the workspace took `/cart` this one name still reaches crowdcart.
 */
export const NAMESPACE_COMMAND = "crowdcart";

/** What a Slack slash command runs: the command's own name and the text after it. */
export interface ResolvedCommand {
  command: string;
  text: string;
}

/**
 * The names crowdcart's commands carry on Slack: `SLACK_COMMAND_PREFIX` + the command's name, or
 * its Slack rename when Slack reserves the name. Requests are accepted under the published, the
 * unprefixed and the plain names, and text meant for a Slack user names the published ones.
 */
export class SlackCommandNames {
  private readonly mentioned: RegExp | undefined;

  constructor(
    private readonly commands: readonly CommandDefinition[],
    readonly prefix = "",
  ) {
    // A new command named like a Slack built-in would make Slack refuse the whole manifest.
    const reserved = commands
      .map((c) => this.published(c.name))
      .filter((n) => SLACK_BUILT_IN_COMMANDS.has(n));
    if (reserved.length)
      throw new Error(
        `Slack keeps /${reserved.join(", /")} for itself: give it a Slack name in RENAMED_ON_SLACK`,
      );
    // Only the names that differ on Slack need rewriting in text; with a prefix that is all of them.
    const differing = commands.map((c) => c.name).filter((name) => this.published(name) !== name);
    this.mentioned = differing.length
      ? new RegExp(`(^|[\\s([{"'\`“‘])/(${differing.join("|")})(?![A-Za-z0-9_@/-])`, "g")
      : undefined;
  }

  /** The name a command is published under, without the slash. */
  published(name: string): string {
    return slackCommandName(name, this.prefix);
  }

  /**
   * The command a Slack request runs: `/cc-joingroup X`, `/joingroup X`, `/join X` and
   * `/crowdcart join X` all run `join X`; a bare `/crowdcart` shows the help.
   */
  resolve(slashCommand: string, text: string): ResolvedCommand {
    const name = this.canonical(slashCommand);
    if (name !== NAMESPACE_COMMAND) return this.canonicalArgument(name, text);
    const words = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
    if (!words) return { command: "help", text: "" };
    return this.canonicalArgument(this.canonical(words[1]!), words[2] ?? "");
  }

  /** Names the Slack form wherever a text names a command: "type /join X" → "type /joingroup X". */
  rewrite(text: string): string {
    if (!this.mentioned) return text;
    return text.replace(
      this.mentioned,
      (_m, before: string, name: string) => `${before}/${this.published(name)}`,
    );
  }

  private canonical(typed: string): string {
    let name = typed.trim().replace(/^\//, "").toLowerCase();
    if (this.prefix && name.startsWith(this.prefix)) name = name.slice(this.prefix.length);
    const renamed = Object.entries(RENAMED_ON_SLACK).find(([, slackName]) => slackName === name);
    return renamed ? renamed[0] : name;
  }

  /**
   * A command whose first word names another command (`/help joingroup`) takes it by the name the
   * Slack user sees.
   */
  private canonicalArgument(command: string, text: string): ResolvedCommand {
    const first = this.commands.find((c) => c.name === command)?.args?.find((a) => a.positional);
    if (first?.type !== "command") return { command, text };
    const words = /^\s*(\S+)([\s\S]*)$/.exec(text);
    return words ? { command, text: `${this.canonical(words[1]!)}${words[2] ?? ""}` } : { command, text };
  }
}
