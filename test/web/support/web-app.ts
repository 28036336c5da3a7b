import { createApp } from "../../../src/app";
import { ManualClock } from "../../../src/clock";
import { silentLogger } from "../../../src/logger";
import { createMetrics } from "../../../src/metrics";
import { listen, type RunningServer } from "../../../src/server";
import { createWebRouter, type WebDeps } from "../../../src/web";
import { FakeCarts, FakeGroups } from "./fake-views";

export interface WebApp {
  base: string;
  groups: FakeGroups;
  carts: FakeCarts;
  clock: ManualClock;
  sleeps: number[];
  server: RunningServer;
  close(): Promise<void>;
}

/** The real app (its 404 and error handling included) with the web router over fake views, on 127.0.0.1:0. */
export async function startWebApp(options: Partial<WebDeps> = {}): Promise<WebApp> {
  const groups = new FakeGroups();
  const carts = new FakeCarts();
  const clock = new ManualClock("2026-01-01T12:00:00Z");
  const sleeps: number[] = [];
  let base = "";
  const router = createWebRouter({
    groups,
    carts,
    clock,
    log: silentLogger,
    publicUrl: () => base,
    playground: true,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  const app = createApp({
    log: silentLogger,
    metrics: createMetrics(),
    healthy: async () => true,
    mounts: [{ path: "/", router }],
  });
  const server = await listen(app, 0, "127.0.0.1");
  base = `http://127.0.0.1:${server.port}`;
  return { base, groups, carts, clock, sleeps, server, close: () => server.close(100) };
}
