import type { Invocation } from "../../src/chat/invocation";
import type { UserIdentity } from "../../src/engine/platform";
import type { SlackCommandNames } from "./command-names";

/** The fields of a slash command request Bolt hands a command listener. */
export interface SlashCommandPayload {
  command: string;
  text?: string;
  team_id: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  trigger_id?: string;
  response_url?: string;
}

/** A request body we can act on: a slash command or an interactivity payload. */
export function describeBody(body: Record<string, unknown>): "command" | "interactive" | "malformed" {
  if (typeof body.command === "string") {
    const ok = ["team_id", "user_id", "channel_id"].every(
      (k) => typeof body[k] === "string" && body[k] !== "",
    );
    return ok ? "command" : "malformed";
  }
  if (typeof body.type === "string") return "interactive";
  return "malformed";
}

/**
 * Slack escapes `&`, `<`, `>` and wraps emails, links and channels in `<...>`. Mentions stay as
 * `<@U…>` for the parser; everything else becomes what the user typed.
 */
export function unescapeSlackText(text: string): string {
  return text
    .replace(
      /<(mailto:|https?:\/\/)([^|>]*)(?:\|([^>]*))?>/g,
      (_m, scheme: string, target: string, label?: string) =>
        label ?? (scheme === "mailto:" ? target : `${scheme}${target}`),
    )
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, "#$1")
    .replace(/<!([a-z]+)(?:\|[^>]*)?>/g, "@$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Slack identities are team-scoped: `T1:U1`. */
export function slackIdentity(teamId: string, userId: string, name?: string): UserIdentity {
  return {
    platform: "slack",
    id: `${teamId}:${userId}`,
    ...(name ? { displayName: name, username: name } : {}),
  };
}

export function commandInvocation(
  payload: SlashCommandPayload,
  eventId: string,
  names: SlackCommandNames,
): Invocation {
  const direct = payload.channel_name === "directmessage" || payload.channel_id.startsWith("D");
  const { command, text } = names.resolve(payload.command, unescapeSlackText(payload.text ?? ""));
  return {
    platform: "slack",
    command,
    args: { text },
    user: slackIdentity(payload.team_id, payload.user_id, payload.user_name),
    channel: { id: payload.channel_id, kind: direct ? "direct" : "group" },
    eventId,
    raw: payload,
  };
}

/** A button that carries a command (`/join 7KQ3…`) runs it as if the clicker typed it. */
export function buttonInvocation(
  input: {
    value: string;
    teamId: string;
    userId: string;
    userName?: string;
    channelId: string;
    eventId: string;
    raw: unknown;
  },
  names: SlackCommandNames,
): Invocation | undefined {
  const line = /^(\/\S+)\s*([\s\S]*)$/.exec(input.value.trim());
  if (!line) return undefined;
  const { command, text } = names.resolve(line[1]!, line[2] ?? "");
  return {
    platform: "slack",
    command,
    args: { text },
    user: slackIdentity(input.teamId, input.userId, input.userName),
    channel: { id: input.channelId, kind: input.channelId.startsWith("D") ? "direct" : "group" },
    eventId: input.eventId,
    raw: input.raw,
  };
}
