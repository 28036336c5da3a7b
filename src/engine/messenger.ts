import type { ChannelMessage, DirectMessage, MessageContent, Platform } from "../kernel";

/** Why a message did not go out, and whether trying again can help. */
export type DeliveryFailure =
  /** Try again later: after `retryAfterMs` when the platform said so (429), else with back-off. */
  | { ok: false; retryable: true; reason: string; retryAfterMs?: number }
  /** Never deliverable as addressed (DMs closed, bot never started, may not post there). */
  | { ok: false; retryable: false; reason: string };

export type DeliveryResult = { ok: true } | DeliveryFailure;

/**
 * A message posted in a channel: `ref` is how its messenger finds it again to edit it (the
 * platform's channel and message ids, say). Opaque to everyone else; store it as it is.
 */
export type PostResult = { ok: true; ref: string } | DeliveryFailure;

export type EditResult =
  | { ok: true }
  | Extract<DeliveryFailure, { retryable: true }>
  /**
   * `gone`: the message can no longer be edited (deleted, the bot lost its rights there, too old,
   * not this bot's): post the content anew. Otherwise the platform refused this content itself.
   */
  | { ok: false; retryable: false; gone: boolean; reason: string };

/** A text that needs more than one platform message: a post or an edit carries exactly one. */
export function tooLongForOneMessage(platform: Platform) {
  return {
    ok: false,
    retryable: false,
    gone: false,
    reason: `${platform}: text too long for one message`,
  } as const;
}

/** A reference this messenger never made (not `post`'s answer): there is nothing of its own to edit. */
export function notAPostedMessage(platform: Platform) {
  return {
    ok: false,
    retryable: false,
    gone: true,
    reason: `${platform}: not a message this bot posted`,
  } as const;
}

/**
 * Waits for a slot in one of the platform's own budgets, shared by every instance: a method's
 * rate tier or a request limit that a DM spends more than once (`perSecond` is the published limit).
 */
export type TakeSlot = (budget: string, perSecond: number) => Promise<void>;

/**
 * The port every adapter implements for outbound messages. `pace` tells the outbox worker the
 * platform's limits for DMs, so it never sends them faster than the platform allows; a call with
 * limits of its own (a method's tier, a channel's or a group's budget) takes a slot with `takeSlot`
 * before it goes.
 */
export interface Messenger {
  platform: Platform;
  pace: { perSecond: number; perRecipientPerSecond: number };
  send(message: DirectMessage, takeSlot?: TakeSlot): Promise<DeliveryResult>;
  /** Posts in a channel or group chat, as one platform message (a text too long for one is refused). */
  post(message: ChannelMessage, takeSlot?: TakeSlot): Promise<PostResult>;
  /** Replaces text and buttons of a message `post` made; the same content again is done, not an error. */
  edit(ref: string, content: MessageContent, takeSlot?: TakeSlot): Promise<EditResult>;
  /**
   * Whether a DM to this user can be attempted at all: not to a placeholder for a name nobody
   * resolved, nor to someone the platform refused a DM for good (until one reaches them again).
   */
  canReach(userId: string): boolean;
}
