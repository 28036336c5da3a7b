import type { Invocation } from "../../src/chat/invocation";
import type { UserIdentity } from "../../src/kernel";
import type { SlackCommandNames } from "./command-names";

/** The fields of a slash command request Bolt hands a command listener. */
export interface SlashCommandPayload {
  command: string;
  text?: string;
  /** The workspace the command was typed in; on Enterprise Grid one of several. */
  team_id: string;
  /** Set on Enterprise Grid: the organisation every workspace of the grid belongs to. */
  enterprise_id?: string;
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
  // Most commands carry no markup at all.
  if (!text.includes("<") && !text.includes("&")) return text;
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

/** The fields of a block_actions payload (a button click) that say who clicked where. */
export interface ButtonPayload {
  user: { id: string; name?: string; username?: string; team_id?: string };
  team?: { id?: string; enterprise_id?: string } | null;
  enterprise?: { id?: string } | null;
  channel?: { id?: string };
  container?: { channel_id?: string };
  trigger_id?: string;
}

/**
 * Slack identities are `<scope>:<user>`, the scope being the Enterprise Grid organisation when
 * there is one, else the workspace (`T1:U1`, unchanged for ordinary workspaces). On a grid a
 * command carries the workspace it was typed in and a button the user's home workspace, while a
 * user id is the same in every workspace of the grid: keyed by the grid, a person is one member
 * whichever workspace they act from.
 */
export function slackIdentity(scope: string, userId: string, name?: string): UserIdentity {
  return {
    platform: "slack",
    id: `${scope}:${userId}`,
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
    user: slackIdentity(payload.enterprise_id || payload.team_id, payload.user_id, payload.user_name),
    channel: { id: payload.channel_id, kind: direct ? "direct" : "group" },
    eventId,
    raw: payload,
  };
}

/** A button that carries a command (`/join 7KQ3…`) runs it as if the clicker typed it. */
export function buttonInvocation(
  value: string,
  body: ButtonPayload,
  actionTs: string,
  names: SlackCommandNames,
): Invocation | undefined {
  const line = /^(\/\S+)\s*([\s\S]*)$/.exec(value.trim());
  if (!line) return undefined;
  const { command, text } = names.resolve(line[1]!, line[2] ?? "");
  const scope = body.enterprise?.id || body.team?.enterprise_id || body.team?.id || body.user.team_id || "";
  const channelId = body.channel?.id ?? body.container?.channel_id ?? "unknown";
  return {
    platform: "slack",
    command,
    args: { text },
    user: slackIdentity(scope, body.user.id, body.user.username ?? body.user.name),
    channel: { id: channelId, kind: channelId.startsWith("D") ? "direct" : "group" },
    eventId: `action:${body.trigger_id ?? `${body.user.id}:${actionTs}`}`,
    raw: body,
  };
}
