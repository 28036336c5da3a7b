import { createHash } from "node:crypto";
import { type Request, type Response, Router } from "express";
import type { Clock } from "../clock";
import { UnavailableError } from "../engine/errors";
import type { Logger } from "../logger";
import { loadAssets, serveAsset } from "./assets";
import { renderCartPage, renderCheckedOutPage } from "./cart-page";
import { groupJson } from "./group-json";
import { renderGroupPage } from "./group-page";
import type { SafeHtml } from "./html";
import { createLiveCache, type JsonEntry } from "./live-cache";
import { MESSAGES, type MessagePage, renderMessagePage } from "./message-page";
import type { CartPageModel, CartPageOutcome, CartViews, GroupViews, WebSender } from "./model";
import { ordersCsv } from "./orders-csv";
import { type PlatformOnPage, platformLabels } from "./platforms";
import { qrSvg } from "./qr";
import { pageSecurity } from "./security";

export interface WebDeps {
  groups: GroupViews;
  carts: CartViews;
  /** `PUBLIC_URL`, read per request: without one it is known only once the server listens. */
  publicUrl: () => string;
  clock: Clock;
  log: Logger;
  /** Every platform crowdcart speaks (names, and how to join from each), in the order pages list them. */
  platforms: readonly PlatformOnPage[];
  /** How often an open group page asks for changes. Default 5 s. */
  pollMs?: number;
  /** How long one group's polled JSON is shared between its viewers. Default 1 s; 0 turns it off. */
  liveCacheMs?: number;
  /** Waits before answering an improper cart access; tests may observe it. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_POLL_MS = 5000;
const DEFAULT_LIVE_CACHE_MS = 1000;
/** Codes are short tokens; anything else is a 404 before the engine is asked. */
const CODE_SHAPE = /^[A-Za-z0-9_-]{1,100}$/;

const CACHE = {
  /** A group changes when someone joins: caches must ask again each time (a 304 is cheap). */
  group: "no-cache",
  /** Personal (member token) or secret (session code): never stored anywhere. */
  personal: "private, no-store",
  missing: "no-store",
};

/** `GET /g/:code`, `GET /s/:code` and `GET /assets/*`, with their security headers. */
export function createWebRouter(deps: WebDeps): Router {
  const assets = loadAssets();
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const security = pageSecurity();
  const liveCache = createLiveCache(deps.liveCacheMs ?? DEFAULT_LIVE_CACHE_MS);
  const labels = platformLabels(deps.platforms);
  const router = Router();

  router.get("/assets/:file", security, serveAsset(assets));

  router.get("/g/:code", security, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      const memberToken =
        typeof req.query.m === "string" && CODE_SHAPE.test(req.query.m) ? req.query.m : undefined;
      const wantsJson = prefersJson(req);
      res.vary("Accept");
      const shared = wantsJson && !memberToken;
      const hit = shared ? liveCache.get(code) : undefined;
      if (hit) return sendJson(req, res, CACHE.group, hit);
      const group = CODE_SHAPE.test(code)
        ? await deps.groups.view(code, { memberToken, countAccess: !wantsJson, sender: senderOf(req) })
        : undefined;
      if (!group) {
        if (wantsJson)
          return void res.status(404).set("Cache-Control", CACHE.missing).json({ error: "not_found" });
        return sendPage(res, 404, CACHE.missing, renderMessagePage(MESSAGES.groupNotFound, assets));
      }
      const url = `${deps.publicUrl()}/g/${encodeURIComponent(group.code)}`;
      const now = deps.clock.now();
      const cache = memberToken ? CACHE.personal : CACHE.group;
      if (wantsJson) {
        const entry = jsonEntry(groupJson(group, url, now, labels));
        if (shared) liveCache.set(code, entry);
        return sendJson(req, res, cache, entry);
      }
      const qr = await qrSvg(url, `QR code of ${url}`);
      const { platforms } = deps;
      const page = { group, url, qr, now, assets, pollMs, publicUrl: deps.publicUrl(), platforms };
      sendPage(res, 200, cache, renderGroupPage(page));
    } catch (error) {
      unavailable(error, res, next);
    }
  });

  // The organiser's export. Whatever is wrong (code, token, too many guesses) gets the unknown
  // group's 404, so the answer tells a visitor nothing about which part they got right.
  router.get("/g/:code/orders.csv", security, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      const token = typeof req.query.k === "string" && CODE_SHAPE.test(req.query.k) ? req.query.k : undefined;
      const data = CODE_SHAPE.test(code) ? await deps.groups.orders(code, token, senderOf(req)) : undefined;
      if (!data) return sendPage(res, 404, CACHE.missing, renderMessagePage(MESSAGES.groupNotFound, assets));
      res
        .status(200)
        .set({
          "Cache-Control": CACHE.personal,
          "X-Robots-Tag": "noindex",
          "Content-Disposition": `attachment; filename="crowdcart-${data.code}-orders.csv"`,
        })
        .type("text/csv; charset=utf-8")
        .send(ordersCsv(data, (id) => labels[id] ?? id));
    } catch (error) {
      unavailable(error, res, next);
    }
  });

  router.get("/s/:code", security, async (req, res, next) => {
    try {
      const code = String(req.params.code);
      const wantsJson = prefersJson(req);
      res.vary("Accept").set("X-Robots-Tag", "noindex");
      const outcome: CartPageOutcome = CODE_SHAPE.test(code)
        ? await deps.carts.viewByCode(code, senderOf(req))
        : { kind: "not_found", message: MESSAGES.cartNotFound.lines[0] ?? "", delayMs: 0 };
      if (outcome.kind !== "ok" && outcome.delayMs > 0) await sleep(outcome.delayMs);
      switch (outcome.kind) {
        case "ok":
          if (wantsJson)
            return void res.status(200).set("Cache-Control", CACHE.personal).json(cartJson(outcome.cart));
          return sendPage(
            res,
            200,
            CACHE.personal,
            renderCartPage({ cart: outcome.cart, now: deps.clock.now(), assets }),
          );
        case "improper":
          // Same status and page as an unknown code, plus the warning, exactly as in chat.
          return refuse(res, wantsJson, 404, "not_found", {
            ...MESSAGES.cartNotFound,
            warning: outcome.message,
          });
        case "not_found":
          return refuse(res, wantsJson, 404, "not_found", MESSAGES.cartNotFound);
        case "expired":
          return refuse(res, wantsJson, 410, "expired", MESSAGES.cartExpired);
        case "closed":
          // With payments on, a checked-out cart's page is where its orders are paid.
          if (outcome.payments?.length && !wantsJson) {
            return sendPage(res, 200, CACHE.personal, renderCheckedOutPage(outcome.payments, assets));
          }
          return refuse(res, wantsJson, 410, "closed", MESSAGES.cartClosed);
        case "rate_limited":
          res.set("Retry-After", String(Math.ceil(outcome.retryAfterMs / 1000)));
          return refuse(res, wantsJson, 429, "rate_limited", {
            title: "Too many attempts",
            lines: [outcome.message],
          });
      }
    } catch (error) {
      unavailable(error, res, next);
    }
  });

  /** The database did not answer: a 503 page the reader can retry; never the URL in the log (it may hold a code). */
  function unavailable(error: unknown, res: Response, next: (error: unknown) => void): void {
    if (!(error instanceof UnavailableError)) {
      next(error);
      return;
    }
    deps.log.warn({ code: error.code }, "page unavailable: the database did not answer");
    res.set("Retry-After", "30");
    sendPage(res, 503, CACHE.missing, renderMessagePage(MESSAGES.unavailable, assets));
  }

  function refuse(res: Response, wantsJson: boolean, status: number, error: string, page: MessagePage): void {
    if (wantsJson) {
      res
        .status(status)
        .set("Cache-Control", CACHE.personal)
        .json({ error, ...(page.warning && { warning: page.warning }) });
      return;
    }
    sendPage(res, status, CACHE.personal, renderMessagePage(page, assets));
  }

  return router;
}

export function cartJson(cart: CartPageModel) {
  return {
    code: cart.code,
    lines: cart.lines,
    totals: cart.totals,
    expiresAt: cart.expiresAt.toISOString(),
  };
}

/** JSON only when asked for explicitly: a browser's `*\/*` or `text/html` gets the page. */
function prefersJson(req: Request): boolean {
  return req.accepts(["html", "json"]) === "json";
}

function sendPage(res: Response, status: number, cacheControl: string, page: SafeHtml): void {
  res.status(status).set("Cache-Control", cacheControl).type("html").send(page.value);
}

/** The body once serialised, with a strong ETag over it: identical groups give identical tags. */
function jsonEntry(body: unknown): JsonEntry {
  const text = JSON.stringify(body);
  return { text, etag: `"${createHash("sha1").update(text).digest("base64url")}"` };
}

/** The page's poll sends the ETag back and gets a bodiless 304 while nothing changed. */
function sendJson(req: Request, res: Response, cacheControl: string, { text, etag }: JsonEntry): void {
  res.set({ "Cache-Control": cacheControl, ETag: etag });
  if (req.get("If-None-Match") === etag) return void res.status(304).end();
  res.status(200).type("json").send(text);
}

/** The address a page request came from (behind a proxy on loopback, the forwarded one). */
function senderOf(req: Request): WebSender {
  return { ip: req.ip ?? req.socket.remoteAddress ?? "unknown" };
}
