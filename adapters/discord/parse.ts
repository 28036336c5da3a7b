import type { Invocation } from "../../src/chat/invocation";
import { identityOf } from "./names";
import { COMMAND_BUTTON_PREFIX } from "./render";

/** Discord interaction types (API v10) this adapter answers. */
export const INTERACTION = {
  PING: 1,
  APPLICATION_COMMAND: 2,
  MESSAGE_COMPONENT: 3,
  AUTOCOMPLETE: 4,
} as const;

/** The fields of an interaction payload we read; the rest is kept in `raw`. */
export interface RawInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  guild_id?: string;
  channel_id?: string;
  channel?: { id: string };
  /** In a server: the member, with their permissions in this channel (a bitfield as a decimal string). */
  member?: { user?: RawUser; permissions?: string };
  user?: RawUser;
  data?: {
    name?: string;
    custom_id?: string;
    options?: RawOption[];
    /** Users named by the options (Discord fills it for user and mentionable options). */
    resolved?: { users?: Record<string, RawUser> };
  };
}

interface RawUser {
  id: string;
  username?: string;
  global_name?: string | null;
}

interface RawOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  options?: RawOption[];
}

const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;

export type ParsedInteraction =
  | { kind: "ping" }
  | { kind: "invocation"; invocation: Invocation; fromButton: boolean }
  | { kind: "ignore"; reason: string };

/**
 * One interaction payload (HTTP or gateway, the same JSON) as the neutral invocation. Slash
 * commands keep Discord's parsed options; a button carries the command line it runs, which the
 * router reads as text, exactly as if the member had typed it.
 */
export function parseInteraction(payload: unknown): ParsedInteraction {
  if (!isInteraction(payload)) return { kind: "ignore", reason: "not an interaction" };
  if (payload.type === INTERACTION.PING) return { kind: "ping" };
  const rawUser = payload.member?.user ?? payload.user;
  const channelId = payload.channel_id ?? payload.channel?.id;
  if (!rawUser || !channelId) return { kind: "ignore", reason: "no user or channel" };
  const base = {
    platform: "discord" as const,
    user: identityOf(rawUser),
    channel: { id: channelId, kind: payload.guild_id ? ("group" as const) : ("direct" as const) },
    eventId: `discord:${payload.id}`,
    raw: payload,
  };

  if (payload.type === INTERACTION.APPLICATION_COMMAND && payload.data?.name) {
    const { subcommand, options } = flattenOptions(payload.data.options ?? []);
    return {
      kind: "invocation",
      fromButton: false,
      invocation: {
        ...base,
        command: payload.data.name,
        args: subcommand ? { options, subcommand } : { options },
      },
    };
  }
  if (
    payload.type === INTERACTION.MESSAGE_COMPONENT &&
    payload.data?.custom_id?.startsWith(COMMAND_BUTTON_PREFIX)
  ) {
    const line = payload.data.custom_id.slice(COMMAND_BUTTON_PREFIX.length).trim();
    const match = /^\/?([a-z][a-z0-9_-]{0,31})(?:\s+([\s\S]*))?$/i.exec(line);
    if (!match) return { kind: "ignore", reason: "button without a command" };
    return {
      kind: "invocation",
      fromButton: true,
      invocation: { ...base, command: match[1]!.toLowerCase(), args: { text: match[2] ?? "" } },
    };
  }
  return { kind: "ignore", reason: `interaction type ${payload.type}` };
}

/** `cart add sku:KB qty:2` arrives as one SUB_COMMAND option holding the real options. */
function flattenOptions(options: RawOption[]): {
  subcommand?: string;
  options: Record<string, string | number | boolean | undefined>;
} {
  const first = options[0];
  if (first && (first.type === SUB_COMMAND || first.type === SUB_COMMAND_GROUP)) {
    const inner = flattenOptions(first.options ?? []);
    return {
      subcommand: inner.subcommand ? `${first.name} ${inner.subcommand}` : first.name,
      options: inner.options,
    };
  }
  return { options: Object.fromEntries(options.map((o) => [o.name, o.value])) };
}

function isInteraction(value: unknown): value is RawInteraction {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.type === "number" &&
    typeof v.token === "string" &&
    typeof v.application_id === "string"
  );
}
