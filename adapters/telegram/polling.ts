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
/** How long a batch of only still-running updates waits before asking Telegram again. */
const IDLE_WAIT_MS = 1000;

/**
 * Long polling without a public URL: getUpdates in a loop. Every request is bounded (timeout, batch
 * size) and `stop()` aborts the one in flight. Updates are handed on without waiting for each other
 * (`onUpdate` keeps one chat's order), so one slow chat never holds up the others.
 *
 * Telegram forgets every update below the offset a getUpdates names, so the offset only moves past
 * updates that have finished: a crash (even kill -9) while an update runs means Telegram sends it
 * again, and the router's record of handled events keeps that from acting twice. Updates still
 * running come back in the next batch and are skipped; a batch with nothing new waits for one of
 * them to finish (at most a second) before asking again, so a slow update costs no busy loop.
 */
export function startPolling(
  telegram: Telegram,
  onUpdate: (update: Update) => Promise<void>,
  log: Logger,
): Poller {
  const abort = new AbortController();
  let offset = 0;
  let failures = 0;
  // Updates handed on and not finished, by update_id; those finished but not yet below the offset.
  const running = new Map<number, Promise<void>>();
  const finished = new Set<number>();
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
      let fresh = 0;
      for (const update of updates) {
        const id = update.update_id;
        if (id < offset || running.has(id) || finished.has(id)) continue;
        fresh += 1;
        const run = onUpdate(update)
          .catch((error: unknown) => {
            log.error({ err: error, updateId: id }, "telegram update failed");
          })
          .finally(() => {
            running.delete(id);
            finished.add(id);
            offset = running.size > 0 ? Math.min(...running.keys()) : Math.max(...finished) + 1;
            for (const done of finished) if (done < offset) finished.delete(done);
          });
        running.set(id, run);
      }
      if (fresh === 0 && running.size > 0) {
        await Promise.race([...running.values(), sleep(IDLE_WAIT_MS, abort.signal)]);
      }
      while (running.size >= MAX_RUNNING) await Promise.race(running.values());
    }
  })();

  return {
    async stop() {
      abort.abort();
      await loop;
      await Promise.all(running.values());
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
