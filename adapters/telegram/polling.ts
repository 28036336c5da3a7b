import type { Telegram } from "telegraf";
import type { Update } from "telegraf/types";
import type { Logger } from "../../src/logger";

export interface Poller {
  stop(): Promise<void>;
}

/** Each getUpdates waits at most this long for news: short enough to stop promptly. */
const POLL_TIMEOUT_SECONDS = 25;
const BATCH = 100;
const MAX_BACKOFF_MS = 30_000;
const MAX_RUNNING = 1000;

/**
 * Long polling without a public URL: getUpdates in a loop, confirming each batch through the next
 * offset. Every request is bounded (timeout, batch size) and `stop()` aborts the one in flight.
 * Updates are handed on without waiting for each other (`onUpdate` keeps one chat's order), so one
 * slow chat never holds up the others; past MAX_RUNNING unfinished updates the loop waits before
 * asking for more, and `stop()` lets the running ones finish.
 */
export function startPolling(
  telegram: Telegram,
  onUpdate: (update: Update) => Promise<void>,
  log: Logger,
): Poller {
  const abort = new AbortController();
  let offset = 0;
  let failures = 0;
  const running = new Set<Promise<void>>();
  // telegraf types its signal with the abort-controller polyfill; node's own works the same at runtime.
  const callOptions = { signal: abort.signal } as unknown as Parameters<Telegram["callApi"]>[2];

  const loop = (async () => {
    // A webhook left over from another deployment would make getUpdates fail with 409.
    await telegram.callApi("deleteWebhook", { drop_pending_updates: false }).catch(() => {});
    while (!abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = (await telegram.callApi(
          "getUpdates",
          {
            offset,
            limit: BATCH,
            timeout: POLL_TIMEOUT_SECONDS,
            allowed_updates: ["message", "callback_query"],
          },
          callOptions,
        )) as Update[];
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) break;
        failures += 1;
        const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        log.warn({ err: error, waitMs: wait }, "telegram getUpdates failed; retrying");
        await sleep(wait, abort.signal);
        continue;
      }
      for (const update of updates) {
        offset = Math.max(offset, update.update_id + 1);
        const run = onUpdate(update)
          .catch((error: unknown) => {
            log.error({ err: error, updateId: update.update_id }, "telegram update failed");
          })
          .finally(() => running.delete(run));
        running.add(run);
      }
      while (running.size >= MAX_RUNNING) await Promise.race(running);
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
      await Promise.all(running);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
