import type { DirectMessage, Platform } from "../kernel";

export type DeliveryResult =
  | { ok: true }
  /** Try again later: after `retryAfterMs` when the platform said so (429), else with back-off. */
  | { ok: false; retryable: true; reason: string; retryAfterMs?: number }
  /** Never deliverable as addressed (DMs closed, bot never started): recorded on the member. */
  | { ok: false; retryable: false; reason: string };

/**
 * Waits for a slot in one of the platform's own budgets, shared by every instance: a method's
 * rate tier or a request limit that a DM spends more than once (`perSecond` is the published limit).
 */
export type TakeSlot = (budget: string, perSecond: number) => Promise<void>;

/**
 * The port every adapter implements for outbound DMs. `pace` tells the outbox worker the
 * platform's limits, so it never sends faster than the platform allows; a messenger whose calls
 * have limits of their own takes a slot with `takeSlot` before each such call.
 */
export interface Messenger {
  platform: Platform;
  pace: { perSecond: number; perRecipientPerSecond: number };
  send(message: DirectMessage, takeSlot?: TakeSlot): Promise<DeliveryResult>;
}
