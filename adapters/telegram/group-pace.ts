/**
 * Telegram lets a bot post about 20 messages a minute in one group and asks for no more than one
 * a second in any chat; beyond that it answers 429 with a long retry_after.
 */
export interface GroupPace {
  perMinute: number;
  minGapMs: number;
  /** How long a reply may wait for its turn in the group before it goes to the caller privately. */
  maxWaitMs: number;
}

export const TELEGRAM_GROUP_PACE: GroupPace = { perMinute: 20, minGapMs: 1000, maxWaitMs: 10_000 };

const MINUTE_MS = 60_000;
/** Groups remembered at once; a group quiet for a minute is forgotten when the map grows past this. */
const TRACKED_GROUPS = 10_000;

/**
 * Hands out send times per group chat so the bot stays inside the group limits. A reply reserves
 * all its messages at once, or none when the last would have to wait longer than `maxWaitMs`.
 */
export function createGroupPacer(pace: GroupPace, now: () => number = Date.now) {
  const sent = new Map<string, number[]>();

  function forgetQuiet(at: number): void {
    for (const [chat, times] of sent) if ((times.at(-1) ?? 0) <= at - MINUTE_MS) sent.delete(chat);
  }

  return {
    /** Milliseconds to wait before each of `count` messages, or undefined when the group is too busy. */
    reserve(chatId: string, count: number): number[] | undefined {
      const at = now();
      const times = (sent.get(chatId) ?? []).filter((t) => t > at - MINUTE_MS);
      const planned: number[] = [];
      for (let i = 0; i < count; i++) {
        const all = [...times, ...planned];
        const last = all.at(-1);
        let slot = last === undefined ? at : Math.max(at, last + pace.minGapMs);
        if (all.length >= pace.perMinute)
          slot = Math.max(slot, all[all.length - pace.perMinute]! + MINUTE_MS);
        if (slot - at > pace.maxWaitMs) return undefined;
        planned.push(slot);
      }
      times.push(...planned);
      sent.set(chatId, times);
      if (sent.size > TRACKED_GROUPS) forgetQuiet(at);
      return planned.map((slot) => slot - at);
    },
  };
}
