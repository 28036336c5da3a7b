import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "@jest/globals";
import express from "express";
import { createApp } from "../../src/app";
import { silentLogger } from "../../src/logger";
import { createMetrics } from "../../src/metrics";
import { listen, type RunningServer } from "../../src/server";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close(100);
  running = undefined;
});

async function serve(
  healthy: () => Promise<boolean>,
  mounts = [] as Parameters<typeof createApp>[0]["mounts"],
) {
  running = await listen(
    createApp({ log: silentLogger, metrics: createMetrics(), healthy, mounts }),
    0,
    "127.0.0.1",
  );
  return `http://127.0.0.1:${running.port}`;
}

describe("health and metrics", () => {
  it("answers 200 {status: ok} when the database answers", async () => {
    const base = await serve(async () => true);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    // A health answer is never cached, so a proxy cannot report a dead instance as healthy.
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers 503 when the database does not", async () => {
    const base = await serve(async () => false);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "unavailable" });
  });

  it("serves Prometheus text with process metrics and a request-duration histogram by route", async () => {
    const base = await serve(async () => true);
    await fetch(`${base}/healthz`);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*\}/);
    expect(text).toContain("# TYPE http_request_duration_seconds histogram");
  });

  it("labels routes by pattern, never by the code in the path", async () => {
    const router = express.Router();
    router.get("/g/:code", (_req, res) => void res.send("ok"));
    const base = await serve(async () => true, [{ path: "/", router }]);
    await fetch(`${base}/g/SECRETCODE123`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('route="/g/:code"');
    expect(text).not.toContain("SECRETCODE123");
  });

  it("serves a POST mount outside express at its exact path, through express otherwise, timed by its path", async () => {
    const seen: string[] = [];
    const post = (req: IncomingMessage, res: ServerResponse) => {
      // express adds its own helpers to the requests it routes; node's own request has none.
      seen.push(`${req.url} ${"baseUrl" in req ? "express" : "node"}`);
      res.writeHead(200, { "content-type": "text/plain" }).end("posted");
    };
    const base = await serve(async () => true, [{ path: "/hook", post }]);
    const direct = await fetch(`${base}/hook`, { method: "POST", body: "a" });
    const routed = await fetch(`${base}/hook?x=1`, { method: "POST", body: "b" });
    expect([await direct.text(), await routed.text()]).toEqual(["posted", "posted"]);
    expect(seen).toEqual(["/hook node", "/hook?x=1 express"]);
    expect((await fetch(`${base}/hook`)).status).toBe(404);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/hook",status="200"\} 2/,
    );
  });

  it("answers an unknown path with a plain 404 and a crashing handler with one line, no stack", async () => {
    const router = express.Router();
    router.get("/boom", () => {
      throw new Error("internal detail at /src/secret.ts:12");
    });
    const base = await serve(async () => true, [{ path: "/", router }]);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain("secret.ts");
    expect(body.split("\n")).toHaveLength(1);
  });
});

describe("graceful shutdown", () => {
  it("finishes an in-flight request, then refuses new connections", async () => {
    const router = express.Router();
    let release!: () => void;
    const started = new Promise<void>((resolveStarted) => {
      router.get("/slow", async (_req, res) => {
        resolveStarted();
        await new Promise<void>((r) => {
          release = r;
        });
        res.send("finished");
      });
    });
    const base = await serve(async () => true, [{ path: "/", router }]);
    const inFlight = fetch(`${base}/slow`).then((r) => r.text());
    await started;
    const server = running!;
    running = undefined;
    const closed = server.close(5000);
    release();
    expect(await inFlight).toBe("finished");
    await closed;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
