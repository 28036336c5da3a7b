import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, matched route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/**
 * Times requests, labelled by the route pattern (never the raw path, which holds codes):
 * `middleware` for express's routes, `time` for a route served outside express.
 */
export function requestTimer(metrics: Metrics) {
  // One series per method, route and status, looked up by a plain key: prom-client's own label
  // lookup sorts and joins the label names on every observation.
  const series = new Map<string, ReturnType<Metrics["httpDuration"]["labels"]>>();
  function observe(method: string, route: string, statusCode: number, started: number): void {
    const status = String(statusCode);
    const key = `${method} ${route} ${status}`;
    let histogram = series.get(key);
    if (!histogram) {
      histogram = metrics.httpDuration.labels({ method, route, status });
      series.set(key, histogram);
    }
    histogram.observe((performance.now() - started) / 1000);
  }
  return {
    middleware(req: Request, res: Response, next: NextFunction): void {
      const started = performance.now();
      // `on`, not `once`: a response finishes once, and `once` wraps every listener in another.
      res.on("finish", () => {
        const route = req.route?.path
          ? `${req.baseUrl}${String(req.route.path)}`
          : req.baseUrl || "unmatched";
        observe(req.method, route, res.statusCode, started);
      });
      next();
    },
    time(req: IncomingMessage, res: ServerResponse, route: string): void {
      const started = performance.now();
      res.on("finish", () => observe(req.method ?? "", route, res.statusCode, started));
    },
  };
}
