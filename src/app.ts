import type { RequestListener } from "node:http";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "./logger";
import { type Metrics, requestTimer } from "./metrics";

/**
 * What an adapter or the pages serve: an express router under `path`, or one POST endpoint that
 * reads its own body and answers through node's own request and response. A POST to exactly that
 * path skips express altogether (the chat commands' hot path); any other spelling of it (a query
 * string) still reaches the same handler through express.
 */
export type Mount = { path: string; router: Router } | { path: string; post: RequestListener };

export interface AppDeps {
  log: Logger;
  metrics: Metrics;
  /** True when the database answers a ping. */
  healthy: () => Promise<boolean>;
  /** Adapter and page routers. Each parses its own body: signature checks need the raw bytes. */
  mounts?: Mount[];
}

/** The one HTTP server: health, metrics, then whatever the adapters and pages mount. */
export function createApp({ log, metrics, healthy, mounts = [] }: AppDeps): RequestListener {
  const app = express();
  const timer = requestTimer(metrics);
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(timer.middleware);

  // Written straight to the socket: an answer that must never be cached needs no ETag, which
  // express's json() would hash for every probe.
  app.get("/healthz", async (_req, res) => {
    const ok = await healthy();
    res
      .writeHead(ok ? 200 : 503, ok ? HEALTHY.headers : UNHEALTHY.headers)
      .end(ok ? HEALTHY.body : UNHEALTHY.body);
  });
  app.get("/metrics", async (_req, res) => {
    res.set("Content-Type", metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const posts = new Map<string, RequestListener>();
  for (const mount of mounts) {
    if ("router" in mount) app.use(mount.path, mount.router);
    else {
      app.post(mount.path, (req, res) => mount.post(req, res));
      posts.set(mount.path, mount.post);
    }
  }

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("Not found");
  });
  // A last line of defence: log the error with its stack, show the caller one line, never a trace.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) log.error({ err: error, path: req.path }, "request failed");
    if (res.headersSent) return void res.end();
    res.status(status).type("text/plain").send(statusLine(status));
  });
  return (req, res) => {
    const post = req.method === "POST" ? posts.get(req.url ?? "") : undefined;
    if (!post) return void app(req, res);
    timer.time(req, res, req.url!);
    post(req, res);
  };
}

function healthAnswer(status: "ok" | "unavailable") {
  const body = JSON.stringify({ status });
  return {
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    },
  };
}
const HEALTHY = healthAnswer("ok");
const UNHEALTHY = healthAnswer("unavailable");

function statusLine(status: number): string {
  if (status >= 500) return "Something went wrong; please try again.";
  return status === 413 ? "Request body too large." : "Bad request.";
}

/** Body-parser and similar errors carry a 4xx status; anything else is ours. */
function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown })?.status;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}
