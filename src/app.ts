import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "./logger";
import { type Metrics, timeRequests } from "./metrics";

export interface Mount {
  path: string;
  router: Router;
}

export interface AppDeps {
  log: Logger;
  metrics: Metrics;
  /** True when the database answers a ping. */
  healthy: () => Promise<boolean>;
  /** Adapter and page routers. Each parses its own body: signature checks need the raw bytes. */
  mounts?: Mount[];
}

/** The one HTTP server: health, metrics, then whatever the adapters and pages mount. */
export function createApp({ log, metrics, healthy, mounts = [] }: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  app.use(timeRequests(metrics));

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
  for (const { path, router } of mounts) app.use(path, router);

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
  return app;
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
