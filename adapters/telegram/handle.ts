import type { Telegram } from "telegraf";
import { cachedAdminCheck } from "../../src/chat/admin-cache";
import type { MentionRef } from "../../src/chat/mentions";
import type { ChatRouter } from "../../src/chat/router";
import type { Engine } from "../../src/engine";
import type { Reply, UserIdentity } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import { classifyTelegramError } from "./api-errors";
import { groupDeepLink } from "./deep-link";
import { createGroupPacer, type GroupPace, TELEGRAM_GROUP_PACE } from "./group-pace";
import type { TelegramEvent } from "./parse";
import { renderTelegram, type TelegramMessage } from "./render";
import { isReachableTelegramId } from "./send";

export interface TelegramHandlerDeps {
  router: ChatRouter;
  users: Pick<Engine["users"], "resolveByUsername">;
  log: Logger;
  /** The bot's @username, for deep links. */
  botUsername: () => string;
  /** Group limits; Telegram's own unless a test narrows them. */
  groupPace?: GroupPace;
}

/**
 * Runs one command event and answers in its chat. Shared by the webhook and long polling, so both
 * behave the same; a redelivered update gets no second answer (the router replays, we skip).
 */
export function createTelegramHandler(deps: TelegramHandlerDeps) {
  const pacer = createGroupPacer(deps.groupPace ?? TELEGRAM_GROUP_PACE);
  const adminAnswers = cachedAdminCheck();

  return async function handle(event: Extract<TelegramEvent, { kind: "command" }>, telegram: Telegram) {
    const reply = await deps.router.handle(event.invocation, {
      resolveMention: (ref) => resolveMention(ref, event.textMentions),
      canReach: isReachableTelegramId,
      ...adminIn(event, telegram),
    });
    if (reply.replayed) return;
    await deliver({ ...reply, text: withOptIn(reply) }, event, telegram);
  };

  /**
   * A group chat's admins are its creator and administrators, as getChatMember says; a private
   * chat has none. An error (429, the bot removed from the chat) is thrown on: the command then
   * says it could not check.
   */
  function adminIn(event: Extract<TelegramEvent, { kind: "command" }>, telegram: Telegram) {
    if (event.invocation.channel.kind !== "group") return {};
    const chatId = event.chatId;
    const userId = Number(event.invocation.user.id);
    const isAdmin = () =>
      adminAnswers(`${chatId}:${userId}`, async () => {
        const member = await telegram.getChatMember(chatId, userId);
        return member.status === "creator" || member.status === "administrator";
      });
    return { admin: { space: String(chatId), isAdmin } };
  }

  /**
   * text_mention words carry their user; `@username` resolves to someone who wrote to the bot; anyone
   * else becomes a placeholder the DM worker cannot reach, listed in the reply with a deep link.
   */
  async function resolveMention(
    ref: MentionRef,
    textMentions: Map<string, UserIdentity>,
  ): Promise<UserIdentity | undefined> {
    if (!ref.username) return undefined;
    const name = ref.username.toLowerCase();
    const fromEntity = textMentions.get(name);
    if (fromEntity) return fromEntity;
    const known = await deps.users.resolveByUsername("telegram", name);
    if (known && isReachableTelegramId(known.platformId)) {
      return {
        platform: "telegram",
        id: known.platformId,
        displayName: known.displayName,
        ...(known.username ? { username: known.username } : {}),
      };
    }
    return { platform: "telegram", id: `@${name}`, displayName: `@${ref.username}` };
  }

  /**
   * Under a group the reply opened or shows: a deep link that starts the bot and shows the group,
   * for the people it cannot message yet, or for anyone not getting its messages.
   */
  function withOptIn(reply: Reply): string {
    if (reply.errorCode || !reply.group) return reply.text;
    const link = groupDeepLink(deps.botUsername(), reply.group.code);
    if (!link) return reply.text;
    if (reply.unreachable?.length) {
      return `${reply.text}\n\nI can't message ${reply.unreachable.join(", ")} yet (they never started me). To get the invitation: open ${link} and press Start.`;
    }
    return `${reply.text}\n\nNot getting my messages? Open ${link} and press Start.`;
  }

  /**
   * Telegram has no ephemeral messages: a private answer asked for in a group goes to the caller's
   * private chat, and only if that fails (they never started the bot) does the group hear about it,
   * without the private content. Errors are not private: they answer the command where it was typed.
   */
  async function deliver(
    reply: Reply,
    event: Extract<TelegramEvent, { kind: "command" }>,
    telegram: Telegram,
  ) {
    const inGroup = event.invocation.channel.kind === "group";
    const caller = event.invocation.user.id;
    const messageId = messageIdOf(event.invocation.raw);
    const replyTo = messageId
      ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }
      : {};
    const parts = renderTelegram(reply.text, reply.buttons);
    if (!inGroup) {
      const sent = await sendParts(telegram, event.chatId, parts, replyTo);
      if (!sent.ok)
        deps.log.warn({ reason: sent.reason, chat: event.chatId }, "telegram reply not delivered");
      return;
    }
    if (reply.visibility === "private" && !reply.errorCode) {
      const sent = await sendParts(telegram, caller, parts, {});
      if (sent.ok) return;
      const link = `https://t.me/${deps.botUsername()}?start=help`;
      const notice = `I can't send you that privately yet: open ${link}, press Start, then try again.`;
      return void (await postInGroup(telegram, event.chatId, renderTelegram(notice), replyTo));
    }
    const posted = await postInGroup(telegram, event.chatId, parts, replyTo);
    if (posted.ok) return;
    // The group is over Telegram's limit: the caller still gets the answer, privately.
    const rest = parts.slice(posted.sent);
    const fallback = await sendParts(telegram, caller, [{ text: GROUP_BUSY }, ...rest], {});
    if (!fallback.ok) {
      deps.log.warn(
        { reason: posted.reason, privately: fallback.reason, chat: event.chatId },
        "telegram group reply not delivered: the group is busy and the caller cannot be messaged",
      );
    }
  }

  /** Posts in a group at the pace the group allows, or not at all when its turn is too far off. */
  async function postInGroup(
    telegram: Telegram,
    chatId: number,
    parts: TelegramMessage[],
    extra: Record<string, unknown>,
  ): Promise<Sent> {
    const waits = pacer.reserve(String(chatId), parts.length);
    if (!waits) return { ok: false, reason: "group message limit reached", sent: 0 };
    return sendParts(telegram, chatId, parts, extra, waits);
  }
}

type Sent = { ok: true } | { ok: false; reason: string; sent: number };

/** Telegram reminds the caller why their group answer arrived in private. */
const GROUP_BUSY =
  "The group chat has reached Telegram's message limit for now, so here is my answer privately:";

async function sendParts(
  telegram: Telegram,
  chatId: number | string,
  parts: readonly TelegramMessage[],
  extra: Record<string, unknown>,
  waits: readonly number[] = [],
): Promise<Sent> {
  for (const [i, part] of parts.entries()) {
    const wait = waits[i] ?? 0;
    if (wait > 0) await sleep(wait);
    const sent = await sendWithRetry(() =>
      telegram.sendMessage(chatId, part.text, {
        ...extra,
        ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}),
        link_preview_options: { is_disabled: true },
      }),
    );
    if (!sent.ok) return { ...sent, sent: i };
  }
  return { ok: true };
}

/** A 429 on an answer is waited out (briefly) rather than losing the answer; longer waits give up. */
const MAX_REPLY_WAIT_MS = 10_000;

async function sendWithRetry(
  send: () => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return { ok: true };
    } catch (error) {
      const result = classifyTelegramError(error);
      if (result.ok) return result;
      const wait = result.retryable ? result.retryAfterMs : undefined;
      if (wait === undefined || wait > MAX_REPLY_WAIT_MS || attempt >= 2)
        return { ok: false, reason: result.reason };
      await sleep(wait);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageIdOf(raw: unknown): number | undefined {
  const id = (raw as { message?: { message_id?: unknown } })?.message?.message_id;
  return typeof id === "number" ? id : undefined;
}
