import { Admin, Client, type ClientFetch, FetchError } from "@medusajs/js-sdk";
import type { Logger } from "../../logger";
import { notingRetryAfter, retryAfterOf } from "./retry-after";
import type { MedusaSettings } from "./settings";

/** A Medusa request that hangs is given up after this and tried again. */
const REQUEST_TIMEOUT_MS = 20_000;

/** Waits before the second and third try of a request that failed for a passing reason. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 1_000];

/** Items asked for per page when walking a list. */
const PAGE_SIZE = 100;

/** A 429 asking for a wait up to this long is waited out here; a longer one goes back to the outbox. */
const LONGEST_WAIT_HERE_MS = 5_000;

/**
 * The SDK's client with a timeout on every request, and each 429's Retry-After noted. `initClient`
 * is the SDK's own extension point; the request options it receives reach `fetch` as they are.
 */
class MedusaClient extends Client {
  protected override initClient(): ClientFetch {
    const sdkFetch = super.initClient();
    return (input, init) =>
      notingRetryAfter((headers) =>
        sdkFetch(input, {
          ...init,
          headers: { ...init?.headers, ...headers },
          signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
      );
  }
}

/** The SDK's Admin API methods, authenticated with the secret API key. */
export function medusaAdmin(settings: MedusaSettings, log: Logger): Admin {
  const client = new MedusaClient({
    baseUrl: settings.url,
    apiKey: settings.apiKey,
    // The SDK logs through console by default; its messages belong in ours.
    logger: {
      error: (...m) => log.error(m.join(" ")),
      warn: (...m) => log.warn(m.join(" ")),
      info: (...m) => log.info(m.join(" ")),
      debug: () => undefined,
    },
  });
  return new Admin(client);
}

/** Why a Medusa call failed, in one line, and whether trying again may help. */
export class MedusaFailure extends Error {
  constructor(
    message: string,
    readonly passing: boolean,
    /** How long Medusa asked to be left alone (a 429's Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "MedusaFailure";
  }
}

/**
 * Medusa's error answers (`{ type, message }` with a 4xx) are the shop refusing: the message says
 * why. A 429, a 5xx, a timeout or an unreachable backend pass, so they are tried again.
 */
export function failureOf(error: unknown, doing: string): MedusaFailure {
  if (error instanceof MedusaFailure) return error;
  if (error instanceof FetchError) {
    const status = error.status ?? 0;
    if (status === 401 || status === 403) {
      return new MedusaFailure(
        `Medusa refused MEDUSA_API_KEY while ${doing} (HTTP ${status}: ${error.message})`,
        false,
      );
    }
    const passing = status === 429 || status >= 500;
    return new MedusaFailure(
      `Medusa answered HTTP ${status} while ${doing}: ${error.message}`,
      passing,
      retryAfterOf(error),
    );
  }
  const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new MedusaFailure(`Medusa could not be reached while ${doing} (${cause})`, true);
}

/**
 * Runs one call, trying again after each delay while it fails for a passing reason; a 429 waits
 * at least as long as it asked, and one asking for longer than we wait here fails at once.
 */
export async function withRetries<T>(
  doing: string,
  call: () => Promise<T>,
  delaysMs: readonly number[],
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = failureOf(error, doing);
      const delay = delaysMs[attempt];
      const wait = Math.max(delay ?? 0, failure.retryAfterMs ?? 0);
      if (!failure.passing || delay === undefined || wait > LONGEST_WAIT_HERE_MS) throw failure;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Medusa's list answers: the items under their own key, with `count`, `offset` and `limit`. */
export type Page<K extends string, T> = { [key in K]: T[] } & { count: number };

/** Every item of a paginated Admin API list, page after page by `limit` and `offset` until `count`. */
export async function listAll<K extends string, T>(
  key: K,
  page: (window: { limit: number; offset: number }) => Promise<Page<K, T>>,
): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const answer = await page({ limit: PAGE_SIZE, offset: items.length });
    const batch = answer[key];
    items.push(...batch);
    if (batch.length === 0 || items.length >= answer.count) return items;
  }
}
