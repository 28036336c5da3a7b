import type { CartSessionDoc } from "../../../models/cart-session";
import { userErrorText } from "../errors";
import type { GuessLimit } from "../guess-limit";
import { badAttemptDelayMs, checkSessionCode } from "./limits";
import { retryingConflicts } from "./retry";
import { hashToken, tokenHashesEqual } from "./session-code";
import type { CartStore } from "./store";
import type { CodeAccess } from "./types";

export interface AccessRules {
  maxBadAttempts: number;
  badAttemptDelayMs: number;
  /** Waits out an improper-access delay; injected so tests observe it without waiting. */
  sleep: (ms: number) => Promise<void>;
  /** Writes the reissue and the owner's DM (src/engine/cart/reissue.ts). */
  reissue: (doc: CartSessionDoc, reason: "suspicious") => Promise<boolean>;
  /** The per-sender budget for codes that matched nothing, shared with group codes. */
  guesses: GuessLimit;
}

/** A successful presentation also returns the session, so `resume` can attach the caller to it. */
export type Presented = { access: CodeAccess; session?: CartSessionDoc };

const NOT_FOUND = userErrorText("CART_NOT_FOUND");
const CLOSED = userErrorText("CART_CLOSED");

/**
 * Judges a presented session code, so that guessing half of one gets nowhere:
 * - serial and token both match → the cart (expired or closed sessions say so);
 * - only the serial, or only the token, matches a live session → improper access: counted on that
 *   session atomically, the reply delayed, the sender warned; at the limit the code is retired;
 * - nothing matches → a plain "not found", counted against the sender so nobody sweeps serials.
 */
export function createCodeAccess(store: CartStore, rules: AccessRules) {
  const { CartSession } = store.models;
  const { refusal, recordMiss } = rules.guesses;
  const { clock } = store.ctx;

  interface HalfMatch {
    doc: CartSessionDoc;
    matched: { serial: string } | { tokenHash: string };
  }

  /**
   * Counts one improper access on every live session it half-matched (usually one; two when the
   * serial names one session and the token belongs to another), retires codes that reached the
   * limit, then holds the reply back once, by the longest delay earned.
   */
  async function improper(targets: HalfMatch[], senderKey: string, now: Date): Promise<CodeAccess> {
    await recordMiss(senderKey, now);
    let attempts = 0;
    let retired = false;
    for (const { doc, matched } of targets) {
      // The filter pins the half that matched, so an attempt racing a reissue counts on nothing.
      const counted = await retryingConflicts(() =>
        CartSession.findOneAndUpdate(
          { _id: doc._id, status: "open", expiresAt: { $gt: now }, ...matched },
          { $inc: { badAttempts: 1, badAttemptsTotal: 1 } },
          { returnDocument: "after" },
        ).lean(),
      );
      if (!counted) continue;
      const reissued =
        counted.badAttempts >= rules.maxBadAttempts && (await rules.reissue(counted, "suspicious"));
      store.ctx.log.warn(
        {
          session: doc._id,
          attempts: counted.badAttempts,
          retired: reissued,
          matched: Object.keys(matched)[0],
        },
        "improper access to a cart session code",
      );
      attempts = Math.max(attempts, counted.badAttempts);
      retired ||= reissued;
    }
    if (attempts === 0) return { kind: "not_found", message: NOT_FOUND };
    const delayMs = badAttemptDelayMs(rules.badAttemptDelayMs, attempts);
    await rules.sleep(delayMs);
    return {
      kind: "improper",
      attempts,
      delayMs,
      retired,
      message: userErrorText("CART_IMPROPER"),
    };
  }

  return {
    /** Throws UserError for a malformed code; every other outcome is a value. */
    async present(input: string, senderKey: string): Promise<Presented> {
      const parts = checkSessionCode(input);
      const now = clock.now();
      const waitMs = await refusal(senderKey, now);
      if (waitMs !== undefined) {
        return {
          access: {
            kind: "rate_limited",
            retryAfterMs: waitMs,
            message: userErrorText("CART_RATE_LIMITED", { waitMs }),
          },
        };
      }
      const presentedHash = hashToken(parts.token);
      const bySerial = await CartSession.findOne({ serial: parts.serial }).lean();
      if (bySerial && tokenHashesEqual(presentedHash, bySerial.tokenHash)) {
        if (bySerial.status === "checked_out") {
          return { access: { kind: "closed", message: CLOSED, orderIds: bySerial.orderIds } };
        }
        // Awaiting payment: shown as it is (with its Pay link), locked, and not an activity that extends it.
        if (bySerial.status === "paying") {
          const code = store.codeOf(bySerial);
          if (code) return { access: { kind: "ok", cart: store.view(bySerial, code) }, session: bySerial };
        }
        if (!store.isLive(bySerial, now) || !(await store.touch(bySerial._id, now))) {
          await store.markExpired(bySerial, now);
          return {
            access: {
              kind: "expired",
              message: userErrorText("CART_EXPIRED", { idleMs: store.ttlMs }),
            },
          };
        }
        const session = await CartSession.findById(bySerial._id).lean();
        const code = session && store.codeOf(session);
        // Reissued between the check and the re-read: the presented code is no longer the code.
        if (!session || session.serial !== parts.serial || !code) {
          return { access: { kind: "not_found", message: NOT_FOUND } };
        }
        return { access: { kind: "ok", cart: store.view(session, code) }, session };
      }
      const halves: HalfMatch[] = [];
      if (bySerial && store.isLive(bySerial, now)) {
        halves.push({ doc: bySerial, matched: { serial: bySerial.serial } });
      }
      const byToken = await CartSession.findOne({ tokenHash: presentedHash }).lean();
      if (byToken && byToken._id !== bySerial?._id && store.isLive(byToken, now)) {
        halves.push({ doc: byToken, matched: { tokenHash: byToken.tokenHash } });
      }
      if (halves.length > 0) return { access: await improper(halves, senderKey, now) };
      await recordMiss(senderKey, now);
      return { access: { kind: "not_found", message: NOT_FOUND } };
    },
  };
}

export type CodeAccessor = ReturnType<typeof createCodeAccess>;
