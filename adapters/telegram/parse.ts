import type { Update } from "telegraf/types";
import type { Invocation } from "../../src/chat/invocation";
import type { UserIdentity } from "../../src/kernel";
import { groupCodeOfPayload } from "./deep-link";

/** What one update asks of the bot. */
export type TelegramEvent =
  | {
      kind: "command";
      invocation: Invocation;
      /** Where the reply goes. */
      chatId: number;
      /** Words standing for text_mention entities (people without a @username), by the word used. */
      textMentions: Map<string, UserIdentity>;
      /** Set for a button press: answered so the client stops its spinner. */
      callbackQueryId?: string;
    }
  /** A button press that runs nothing still carries its query, which must be answered. */
  | { kind: "ignore"; reason: string; callbackQueryId?: string };

export interface ParseContext {
  /** The bot's @username (from getMe), for `/cmd@botname` in groups. */
  botUsername: string;
  /** Command names from the definitions: in groups, other commands belong to other bots. */
  commands: ReadonlySet<string>;
}

interface RawEntity {
  type: string;
  offset: number;
  length: number;
  user?: RawUser;
}
interface RawUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}
interface RawMessage {
  message_id: number;
  from?: RawUser;
  chat: { id: number; type: string };
  text?: string;
  entities?: RawEntity[];
}

/** A word that stands for a text_mention: Telegram @username syntax so the text grammar keeps it whole. */
export const TEXT_MENTION_PREFIX = "@tg_user_";

/**
 * One Bot API update as the neutral invocation. Only commands addressed to this bot count: in a
 * group `/join@otherbot` or an unknown `/x` belongs to someone else and is ignored. The eventId is
 * the update_id, so a redelivered update is recognised by the router.
 */
export function parseTelegramUpdate(
  update: Update | Record<string, unknown>,
  context: ParseContext,
): TelegramEvent {
  const u = update as { update_id?: unknown; message?: RawMessage; callback_query?: RawCallback };
  if (typeof u.update_id !== "number") return { kind: "ignore", reason: "no update_id" };
  const eventId = `telegram:${u.update_id}`;
  if (u.message) return parseMessage(u.message, eventId, context, update);
  if (u.callback_query) return parseCallback(u.callback_query, eventId, context, update);
  return { kind: "ignore", reason: "not a message" };
}

interface RawCallback {
  id: string;
  from: RawUser;
  data?: string;
  message?: { chat: { id: number; type: string } };
}

function parseMessage(
  message: RawMessage,
  eventId: string,
  context: ParseContext,
  raw: unknown,
): TelegramEvent {
  const text = message.text;
  const from = message.from;
  if (!text || !from || from.is_bot) return { kind: "ignore", reason: "no text from a person" };
  const entities = message.entities ?? [];
  const head = entities.find((e) => e.type === "bot_command" && e.offset === 0);
  if (!head) return { kind: "ignore", reason: "not a command" };
  const [name = "", addressee] = text.slice(1, head.length).split("@");
  const command = name.toLowerCase();
  const direct = message.chat.type === "private";
  if (addressee && addressee.toLowerCase() !== context.botUsername.toLowerCase()) {
    return { kind: "ignore", reason: "command for another bot" };
  }
  if (!direct && !addressee && !context.commands.has(command) && command !== "start") {
    return { kind: "ignore", reason: "unknown command in a group" };
  }
  const { text: rest, textMentions } = rewriteTextMentions(text, entities, head.length);
  const asked = command === "start" ? fromStart(rest.trim()) : { command, text: rest.trim() };
  const invocation: Invocation = {
    platform: "telegram",
    command: asked.command,
    args: { text: asked.text },
    user: identityOf(from),
    channel: { id: String(message.chat.id), kind: direct ? "direct" : "group" },
    eventId,
    raw,
  };
  return {
    kind: "command",
    invocation,
    chatId: message.chat.id,
    textMentions,
  };
}

/**
 * Telegram's Start button sends `/start` with the payload of the link that led there: a group's
 * deep link (`g-<code>`) shows that group, anything else (or nothing) shows the help.
 */
function fromStart(payload: string): { command: string; text: string } {
  const code = groupCodeOfPayload(payload.split(/\s+/)[0]);
  return code ? { command: "group", text: code } : { command: "help", text: "" };
}

function parseCallback(
  query: RawCallback,
  eventId: string,
  context: ParseContext,
  raw: unknown,
): TelegramEvent {
  const chat = query.message?.chat ?? { id: query.from.id, type: "private" };
  const match = /^\/([a-z][a-z0-9_]{0,31})(?:\s+([\s\S]*))?$/i.exec(query.data ?? "");
  const ignore = (reason: string) => ({ kind: "ignore" as const, reason, callbackQueryId: query.id });
  if (!match || query.from.is_bot) return ignore("button without a command");
  const command = match[1]!.toLowerCase();
  if (!context.commands.has(command)) return ignore("button for an unknown command");
  return {
    kind: "command",
    invocation: {
      platform: "telegram",
      command,
      args: { text: (match[2] ?? "").trim() },
      user: identityOf(query.from),
      channel: { id: String(chat.id), kind: chat.type === "private" ? "direct" : "group" },
      eventId,
      raw,
    },
    chatId: chat.id,
    textMentions: new Map(),
    callbackQueryId: query.id,
  };
}

/**
 * A text_mention is a name the client linked to a person who has no @username; the text itself
 * holds only the name (maybe with spaces). Each one is replaced by a single word that the text
 * grammar reads as a mention, and remembered with the user id the entity carries.
 */
function rewriteTextMentions(
  text: string,
  entities: readonly RawEntity[],
  from: number,
): { text: string; textMentions: Map<string, UserIdentity> } {
  const textMentions = new Map<string, UserIdentity>();
  const spans = entities
    .filter((e) => e.type === "text_mention" && e.user && e.offset >= from)
    .sort((a, b) => a.offset - b.offset);
  let out = "";
  let at = from;
  for (const span of spans) {
    if (span.offset < at) continue; // overlapping entities: keep the first
    const word = `${TEXT_MENTION_PREFIX}${span.user!.id}`;
    textMentions.set(word.slice(1).toLowerCase(), identityOf(span.user!));
    out += `${text.slice(at, span.offset)} ${word} `;
    at = span.offset + span.length;
  }
  out += text.slice(at);
  return { text: out, textMentions };
}

export function identityOf(user: RawUser): UserIdentity {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return {
    platform: "telegram",
    id: String(user.id),
    ...(name || user.username ? { displayName: name || user.username! } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}
