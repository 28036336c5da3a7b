import { afterEach, describe, expect, it } from "@jest/globals";
import { createApp } from "../../src/app";
import { silentLogger } from "../../src/logger";
import { createMetrics } from "../../src/metrics";
import { listen, type RunningServer } from "../../src/server";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close(100);
  running = undefined;
});

describe("a server that listens before it is ready", () => {
  it("answers every request, /healthz included, with 503 and Retry-After until it serves, then serves", async () => {
    running = await listen(undefined, 0, "127.0.0.1");
    const base = `http://127.0.0.1:${running.port}`;
    for (const [method, path] of [
      ["GET", "/healthz"],
      ["POST", "/slack/events"],
      ["POST", "/playground/commands"],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method, ...(method === "POST" ? { body: "{}" } : {}) });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.text()).toBe("crowdcart is starting; try again in a few seconds.");
    }
    running.serve(createApp({ log: silentLogger, metrics: createMetrics(), healthy: async () => true }));
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: "ok" });
  });
});
