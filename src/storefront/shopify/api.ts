import { createAdminApiClient } from "@shopify/admin-api-client";
import type { Clock } from "../../clock";
import type { Logger } from "../../logger";
import { CostBucket } from "./cost-bucket";
import type { ShopifySettings } from "./settings";

/**
 * The Admin API version every call is pinned to: Shopify supports each for a year, and fields
 * change between them, so a new one is taken deliberately, never by default.
 */
export const SHOPIFY_API_VERSION = "2026-10";

/** Tries of one call before it fails (throttled, 429, a 5xx or a dropped connection). */
const MAX_TRIES = 6;
/** A wait longer than this is not spent in-process: the caller is told to come back later. */
const MAX_WAIT_MS = 60_000;
/** Shopify's Retry-After when it sends none. */
const DEFAULT_RETRY_AFTER_MS = 2_000;

export class ShopifyApiError extends Error {
  constructor(
    message: string,
    /** How long Shopify asked to wait, when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ShopifyApiError";
  }
}

export interface ShopifyApi {
  /**
   * A read: retried in-process when Shopify throttles it, answers 429 or 5xx, or the connection
   * drops (a read twice is harmless).
   */
  query<T>(operation: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * A write: retried only when Shopify said it did not run it (throttled, 429). A 5xx or a lost
   * answer may hide a write that happened, so it fails, and the caller looks before writing again.
   */
  mutate<T>(operation: string, variables?: Record<string, unknown>): Promise<T>;
  /** Ends every wait under way: the calls waiting fail. */
  stop(): void;
}

export interface ShopifyApiDeps {
  log: Logger;
  clock: Clock;
  /** How a wait is spent; tests move their clock instead of sleeping. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

type Attempt<T> = { done: T } | { retryInMs: number; reason: string; retry: "always" | "reads" };

export function createShopifyApi(settings: ShopifySettings, deps: ShopifyApiDeps): ShopifyApi {
  const { log, clock } = deps;
  const sleep = deps.sleep ?? realSleep;
  const stopping = new AbortController();
  const bucket = new CostBucket();
  const client = createAdminApiClient({
    storeDomain: settings.shop,
    apiVersion: SHOPIFY_API_VERSION,
    accessToken: settings.adminToken,
    // Retries are ours: the client reads Retry-After as milliseconds and cannot tell a write.
    retries: 0,
    customFetchApi: settings.apiUrl ? rebased(settings.apiUrl) : fetch,
    logger: (entry) => {
      if (entry.type === "Unsupported_Api_Version")
        log.warn({ apiVersion: SHOPIFY_API_VERSION }, "shopify: API version no longer supported");
      if (entry.type === "HTTP-Response-GraphQL-Deprecation-Notice")
        log.warn({ notice: entry.content.deprecationNotice }, "shopify: deprecated field used");
    },
  });

  async function once<T>(
    operation: string,
    variables: Record<string, unknown> | undefined,
  ): Promise<Attempt<T>> {
    const name = operationName(operation);
    const wait = bucket.waitBefore(name, clock.now().getTime());
    if (wait > 0) await sleep(wait, stopping.signal);
    // The client never throws: a dropped connection comes back as errors without a status.
    const answer = await client.request<T>(operation, { variables });
    const cost = answer.extensions?.cost;
    if (cost) bucket.observe(name, cost, clock.now().getTime());
    const errors = answer.errors;
    if (!errors) return { done: answer.data as T };
    const status = errors.networkStatusCode;
    if (status === 429) {
      const retryAfter = Number(errors.response?.headers.get("retry-after"));
      const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : DEFAULT_RETRY_AFTER_MS;
      return { retryInMs: ms, reason: "429 Too Many Requests", retry: "always" };
    }
    const throttled = errors.graphQLErrors?.some((e) => e.extensions?.code === "THROTTLED");
    if (throttled) return { retryInMs: bucket.waitAfterThrottle(cost), reason: "THROTTLED", retry: "always" };
    if (status === undefined || status >= 500) {
      return { retryInMs: 0, reason: errors.message ?? `HTTP ${status}`, retry: "reads" };
    }
    const details = errors.graphQLErrors?.map((e) => e.message).join("; ");
    throw new ShopifyApiError(`shopify: ${name} refused: ${details || errors.message || `HTTP ${status}`}`);
  }

  async function call<T>(
    operation: string,
    variables: Record<string, unknown> | undefined,
    write: boolean,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const result = await once<T>(operation, variables);
      if ("done" in result) return result.done;
      const name = operationName(operation);
      // Back-off doubles from 1 s when the shop gave no wait of its own.
      const waitMs = result.retryInMs || 1000 * 2 ** (attempt - 1);
      const retriable = result.retry === "always" || !write;
      if (!retriable || attempt >= MAX_TRIES || waitMs > MAX_WAIT_MS) {
        throw new ShopifyApiError(
          `shopify: ${name} failed: ${result.reason}`,
          result.retry === "always" ? waitMs : undefined,
        );
      }
      log.info({ operation: name, reason: result.reason, waitMs, attempt }, "shopify: call retried");
      await sleep(waitMs, stopping.signal);
    }
  }

  return {
    query: (operation, variables) => call(operation, variables, false),
    mutate: (operation, variables) => call(operation, variables, true),
    stop: () => stopping.abort(),
  };
}

/** Calls `https://<shop>/admin/api/...` at `base` instead (SHOPIFY_API_URL). */
function rebased(base: string): typeof fetch {
  const root = base.replace(/\/+$/, "");
  return (url, init) => {
    const { pathname, search } = new URL(String(url));
    return fetch(`${root}${pathname}${search}`, init);
  };
}

function operationName(operation: string): string {
  return /^\s*(?:query|mutation)\s+(\w+)/.exec(operation)?.[1] ?? "anonymous";
}

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ShopifyApiError("shopify: stopped"));
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ShopifyApiError("shopify: stopped"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
