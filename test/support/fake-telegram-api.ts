import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";

/** One Bot API call as the fake received it. */
export interface TelegramCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  /** What the fake answered: the status and whether it was `{ok: true}`. */
  status: number;
  /** When it arrived (epoch ms), so a test can measure the rate a bot sends at. */
  at: number;
}

/** A message kept by the fake so `editMessageText` can be checked against it. */
export interface TelegramStoredMessage {
  /** The author's user id (the bot's own for what it sent). */
  from: number;
  text: string;
  reply_markup?: unknown;
}

export interface FakeTelegramOptions {
  /** The only token the fake accepts in `/bot<token>/`; any other answers 401 like Telegram. */
  token?: string;
  /** The bot's own identity (getMe). */
  bot?: { id: number; username: string; first_name?: string };
  /**
   * Enforce a global send rate like Telegram's (about 30 messages per second): a send beyond it
   * in any one-second window gets 429 with `retry_after: 1`. Off unless set, so tests stay exact.
   */
  messagesPerSecond?: number;
  /**
   * Telegram's limit for one group (negative chat id): about 20 messages a minute, beyond which it
   * answers 429 with the seconds until the group's window frees. On by default, as on Telegram.
   */
  groupMessagesPerMinute?: number;
}

/** The token every test gives its bot unless it says otherwise. */
export const FAKE_TELEGRAM_TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ";

export interface FakeTelegramApi {
  /** The Bot API root to give telegraf (`telegram: { apiRoot }`) or TELEGRAM_API_ROOT. */
  apiRoot: string;
  calls: TelegramCall[];
  /** Calls to one method, in order. */
  callsTo(method: string): TelegramCall[];
  /** Messages sent to one chat (sendMessage bodies), in order. */
  messagesTo(chatId: number | string): Array<Record<string, unknown>>;
  /** A message in a chat as it stands now (edits applied), or undefined (never sent, deleted). */
  message(chatId: number | string, messageId: number): TelegramStoredMessage | undefined;
  /** A person writes in a chat: the bot may not edit that message. Returns its message_id. */
  postAsUser(chatId: number | string, userId: number, text: string): number;
  /** Someone deletes a message: editing it answers "message to edit not found". */
  deleteMessage(chatId: number | string, messageId: number): void;
  /** The bot is removed from a group: sending or editing there answers 403. */
  kickBot(chatId: number | string): void;
  /** This user never pressed Start: sendMessage to their private chat answers 403. */
  neverStarted(userId: number | string): void;
  /** The user pressed Start (e.g. through a deep link): DMs reach them again. */
  started(userId: number | string): void;
  /**
   * A person's standing in a group chat, as getChatMember answers it (`creator`, `administrator`,
   * `member`, `restricted`, `left`, `kicked`). Someone never set there is `left`, as for a user who
   * is not in the chat; getChatMember in a chat the bot was removed from answers 403.
   */
  setChatMember(chatId: number | string, userId: number | string, status: string): void;
  /** The next `times` calls of `method` answer 429 with `parameters.retry_after`. */
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** Updates handed out by getUpdates (long polling), oldest first. */
  queueUpdate(update: Record<string, unknown>): void;
  /**
   * A button press as Telegram sends it (the `callback_query` of an update); its id waits for
   * answerCallbackQuery, as on Telegram, and shows in `unansweredCallbackQueries` until answered.
   */
  callbackQuery(query: {
    from: Record<string, unknown>;
    data: string;
    chat: { id: number; type: string };
  }): Record<string, unknown>;
  unansweredCallbackQueries(): string[];
  /** The next call to this chat waits (unanswered) until the returned function is called; later ones pass. */
  holdNext(chatId: number | string): () => void;
  close(): Promise<void>;
}

/** The Bot API methods the fake knows; Telegram answers any other with 404 "Not Found". */
const METHODS = new Set([
  "getMe",
  "getUpdates",
  "setMyCommands",
  "deleteMyCommands",
  "setWebhook",
  "deleteWebhook",
  "getWebhookInfo",
  "answerCallbackQuery",
  "setChatMenuButton",
  "sendMessage",
  "editMessageText",
  "getChatMember",
]);

const SEND_METHODS = new Set([
  "sendMessage",
  "sendPhoto",
  "sendDocument",
  "editMessageText",
  "copyMessage",
  "forwardMessage",
]);

/**
 * A local stand-in for api.telegram.org: `POST /bot<token>/<method>` answering `{ok, result}` like
 * the Bot API, recording every call. It answers the errors a bot meets in practice: 403 for a user
 * who never started the bot or a group that removed it, 429 with `retry_after`, a group's 20
 * messages a minute, `editMessageText` only of the bot's own message and never to the same
 * content ("message is not modified"), and (optionally) a global send rate.
 */
export async function startFakeTelegramApi(options: FakeTelegramOptions = {}): Promise<FakeTelegramApi> {
  const bot = { id: 7000001, username: "crowdcart_test_bot", first_name: "crowdcart", ...options.bot };
  const validToken = options.token ?? FAKE_TELEGRAM_TOKEN;
  const groupPerMinute = options.groupMessagesPerMinute ?? 20;
  const groupSends = new Map<string, number[]>();
  const pendingQueries = new Set<string>();
  const held = new Map<string, Promise<void>>();
  let queryId = 1;
  const calls: TelegramCall[] = [];
  const blocked = new Set<string>();
  const kicked = new Set<string>();
  const chatMembers = new Map<string, string>();
  const stored = new Map<string, TelegramStoredMessage>();
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const updates: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let messageId = 1;
  let windowStart = 0;
  let windowCount = 0;

  const app = express();
  app.use(express.json({ limit: "1mb" }));
  app.use(express.urlencoded({ extended: true }));
  app.post("/bot:token/:method", async (req, res) => {
    const token = req.params.token;
    const method = req.params.method;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const at = Date.now();
    const answer = (status: number, payload: Record<string, unknown>) => {
      calls.push({ method, token, body, status, at });
      res.status(status).json(payload);
    };
    const badRequest = (description: string) =>
      answer(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });

    if (token !== validToken) {
      return answer(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    if (!METHODS.has(method)) return answer(404, { ok: false, error_code: 404, description: "Not Found" });

    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      return answer(429, tooMany(limit.retryAfter));
    }
    if (options.messagesPerSecond && SEND_METHODS.has(method)) {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        windowCount = 0;
      }
      windowCount += 1;
      if (windowCount > options.messagesPerSecond) return answer(429, tooMany(1));
    }
    const chatKey = String(body.chat_id ?? "");
    if (SEND_METHODS.has(method) && Number(chatKey) < 0) {
      const now = Date.now();
      const recent = (groupSends.get(chatKey) ?? []).filter((t) => t > now - 60_000);
      groupSends.set(chatKey, recent);
      if (recent.length >= groupPerMinute) {
        return answer(429, tooMany(Math.ceil((recent[0]! + 60_000 - now) / 1000)));
      }
      recent.push(now);
    }
    const hold = held.get(chatKey);
    if (hold) {
      held.delete(chatKey);
      await hold;
    }

    if (SEND_METHODS.has(method) && kicked.has(chatKey)) {
      return answer(403, {
        ok: false,
        error_code: 403,
        description: "Forbidden: bot was kicked from the group chat",
      });
    }

    switch (method) {
      case "getMe":
        return answer(200, {
          ok: true,
          result: { ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false },
        });
      case "setWebhook": {
        const secret = body.secret_token;
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(secret))) {
          return badRequest("secret token contains unallowed characters");
        }
        if (!/^https:\/\//.test(String(body.url ?? "")))
          return badRequest("bad webhook: HTTPS url must be provided for webhook");
        return answer(200, { ok: true, result: true, description: "Webhook was set" });
      }
      case "setMyCommands": {
        const error = commandsError(body.commands);
        return error ? badRequest(error) : answer(200, { ok: true, result: true });
      }
      case "answerCallbackQuery": {
        const id = String(body.callback_query_id ?? "");
        if (!pendingQueries.delete(id)) {
          return badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        if (String(body.text ?? "").length > 200) return badRequest("MESSAGE_TOO_LONG");
        return answer(200, { ok: true, result: true });
      }
      case "getUpdates":
        return answer(200, { ok: true, result: await nextUpdates(body) });
      case "sendMessage": {
        const chatId = String(body.chat_id ?? "");
        if (!chatId)
          return answer(400, { ok: false, error_code: 400, description: "Bad Request: chat_id is empty" });
        const text = typeof body.text === "string" ? body.text : "";
        if (text.trim() === "") return badRequest("message text is empty");
        if (text.length > 4096) return badRequest("message is too long");
        const markupError = body.reply_markup === undefined ? undefined : checkReplyMarkup(body.reply_markup);
        if (markupError) return badRequest(markupError);
        if (blocked.has(chatId)) {
          return answer(403, {
            ok: false,
            error_code: 403,
            description: "Forbidden: bot can't initiate conversation with a user",
          });
        }
        const chat =
          Number(chatId) > 0
            ? { id: Number(chatId), type: "private" }
            : { id: Number(chatId), type: "group" };
        const id = messageId++;
        stored.set(`${chatId}:${id}`, { from: bot.id, text, reply_markup: jsonField(body.reply_markup) });
        return answer(200, {
          ok: true,
          result: { message_id: id, date: Math.floor(Date.now() / 1000), chat, text: body.text },
        });
      }
      case "editMessageText": {
        const chatId = String(body.chat_id ?? "");
        if (!chatId) return badRequest("chat_id is empty");
        if (body.message_id === undefined) return badRequest("message identifier is not specified");
        const text = typeof body.text === "string" ? body.text : "";
        if (text.trim() === "") return badRequest("message text is empty");
        if (text.length > 4096) return badRequest("MESSAGE_TOO_LONG");
        const markupError = body.reply_markup === undefined ? undefined : checkReplyMarkup(body.reply_markup);
        if (markupError) return badRequest(markupError);
        const message = stored.get(`${chatId}:${Number(body.message_id)}`);
        if (!message) return badRequest("message to edit not found");
        if (message.from !== bot.id) return badRequest("message can't be edited");
        // An edit without reply_markup removes the buttons, as on Telegram.
        const markup = jsonField(body.reply_markup);
        if (message.text === text && JSON.stringify(message.reply_markup) === JSON.stringify(markup)) {
          return badRequest(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        message.text = text;
        message.reply_markup = markup;
        return answer(200, {
          ok: true,
          result: {
            message_id: Number(body.message_id),
            date: Math.floor(Date.now() / 1000),
            edit_date: Math.floor(Date.now() / 1000),
            chat: { id: Number(chatId), type: Number(chatId) > 0 ? "private" : "group" },
            text,
          },
        });
      }
      case "getChatMember": {
        const chatId = String(body.chat_id ?? "");
        if (!chatId) return badRequest("chat_id is empty");
        if (!/^\d+$/.test(String(body.user_id ?? ""))) return badRequest("user not found");
        if (kicked.has(chatId)) {
          return answer(403, {
            ok: false,
            error_code: 403,
            description: "Forbidden: bot is not a member of the group chat",
          });
        }
        const userId = Number(body.user_id);
        const status = chatMembers.get(`${chatId}:${userId}`) ?? "left";
        return answer(200, {
          ok: true,
          result: {
            status,
            user: { id: userId, is_bot: false, first_name: `user${userId}` },
            ...(status === "administrator" ? { can_be_edited: false, can_manage_chat: true } : {}),
            ...(status === "creator" ? { is_anonymous: false } : {}),
          },
        });
      }
      default:
        return answer(200, { ok: true, result: true });
    }
  });
  app.use((_req, res) => {
    res.status(404).json({ ok: false, error_code: 404, description: "Not Found" });
  });

  // Long polling: answer at once when updates wait, else hold the request briefly like Telegram does.
  async function nextUpdates(body: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const offset = Number(body.offset ?? 0);
    // Telegram forgets updates below the offset the bot confirmed.
    while (updates.length && Number(updates[0]?.update_id) < offset) updates.shift();
    if (updates.length === 0) {
      const holdMs = Math.min(Number(body.timeout ?? 0) * 1000, 500);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, holdMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return updates.filter((u) => Number(u.update_id) >= offset).slice(0, Number(body.limit ?? 100));
  }

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messagesTo: (chatId) =>
      calls
        .filter(
          (c) => c.method === "sendMessage" && c.status === 200 && String(c.body.chat_id) === String(chatId),
        )
        .map((c) => c.body),
    message: (chatId, id) => {
      const message = stored.get(`${chatId}:${id}`);
      return message && { ...message };
    },
    postAsUser: (chatId, userId, text) => {
      const id = messageId++;
      stored.set(`${chatId}:${id}`, { from: userId, text });
      return id;
    },
    deleteMessage: (chatId, id) => void stored.delete(`${chatId}:${id}`),
    kickBot: (chatId) => void kicked.add(String(chatId)),
    setChatMember: (chatId, userId, status) => void chatMembers.set(`${chatId}:${userId}`, status),
    neverStarted: (userId) => void blocked.add(String(userId)),
    started: (userId) => void blocked.delete(String(userId)),
    rateLimitNext: (method, retryAfter, times = 1) => void limits.set(method, { retryAfter, times }),
    queueUpdate: (update) => {
      const query = (update as { callback_query?: { id?: unknown } }).callback_query;
      if (query) pendingQueries.add(String(query.id));
      updates.push(update);
      for (const wake of waiters.splice(0)) wake();
    },
    callbackQuery: ({ from, data, chat }) => {
      const id = `cbq-${queryId++}`;
      pendingQueries.add(id);
      return {
        id,
        from,
        chat_instance: String(chat.id),
        data,
        message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat },
      };
    },
    unansweredCallbackQueries: () => [...pendingQueries],
    holdNext: (chatId) => {
      let release = () => {};
      held.set(String(chatId), new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const wake of waiters.splice(0)) wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function tooMany(retryAfter: number): Record<string, unknown> {
  return {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  };
}

/** A field the Bot API takes as an object or as its JSON text; undefined when that text is not JSON. */
function jsonField(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Telegram's limits for `setMyCommands`: at most 100 commands, descriptions of 1–256 characters. */
const MAX_COMMANDS = 100;
const MAX_COMMAND_DESCRIPTION = 256;

/**
 * What Telegram says about a command list it refuses, or undefined when it takes it: at most 100,
 * each name 1-32 lower-case letters, digits or underscores (no slash), each description 1-256 characters.
 */
function commandsError(commands: unknown): string | undefined {
  const list = jsonField(commands);
  if (!Array.isArray(list)) return "can't parse commands JSON object";
  if (list.length > MAX_COMMANDS) return "BOT_COMMANDS_TOO_MUCH";
  for (const entry of list as Array<Record<string, unknown>>) {
    if (!/^[a-z0-9_]{1,32}$/.test(String(entry?.command ?? ""))) return "BOT_COMMAND_INVALID";
    const description = String(entry?.description ?? "");
    if (description.trim() === "") return "command description must be non-empty";
    if (description.length > MAX_COMMAND_DESCRIPTION) return "BOT_COMMAND_DESCRIPTION_INVALID";
  }
  return undefined;
}

/**
 * What Telegram says about a `reply_markup` it cannot use, or undefined when it is a valid inline
 * keyboard: rows of buttons, each with a label and exactly one action (url or 1-64 bytes of data).
 */
function checkReplyMarkup(markup: unknown): string | undefined {
  const value = jsonField(markup);
  const keyboard = (value as { inline_keyboard?: unknown } | null)?.inline_keyboard;
  if (typeof value !== "object" || value === null || keyboard === undefined) {
    return "can't parse reply keyboard markup JSON object";
  }
  if (!Array.isArray(keyboard) || !keyboard.every(Array.isArray)) {
    return 'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays';
  }
  for (const button of keyboard.flat() as Array<Record<string, unknown>>) {
    if (typeof button?.text !== "string" || button.text === "")
      return "can't parse inline keyboard button: Text must be non-empty";
    const actions = ["url", "callback_data"].filter((key) => button[key] !== undefined);
    if (actions.length !== 1)
      return "can't parse inline keyboard button: exactly one of the optional fields must be used";
    if (button.url !== undefined && !/^(https?|tg):\/\/\S+$/.test(String(button.url)))
      return "BUTTON_URL_INVALID";
    const data = button.callback_data;
    if (data !== undefined && (typeof data !== "string" || data === "" || Buffer.byteLength(data) > 64)) {
      return "BUTTON_DATA_INVALID";
    }
  }
  return undefined;
}
