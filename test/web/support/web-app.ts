import { platformsOnPage } from "../../../adapters";
import { createApp } from "../../../src/app";
import { ManualClock } from "../../../src/clock";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { createMetrics } from "../../../src/metrics";
import { listen, type RunningServer } from "../../../src/server";
import { createWebRouter, type WebDeps } from "../../../src/web";
import type { CartViews, GroupViews } from "../../../src/web/model";
import { FakeCarts, FakeGroups } from "./fake-views";

export interface WebApp<G extends GroupViews = FakeGroups, C extends CartViews = FakeCarts> {
  base: string;
  groups: G;
  carts: C;
  clock: ManualClock;
  sleeps: number[];
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The real app (its 404 and error handling included) with the web router on 127.0.0.1:0, over fake
 * views unless a test passes the engine's.
 */
export async function startWebApp(
  options?: Omit<Partial<WebDeps>, "groups" | "carts"> & { clock?: ManualClock },
): Promise<WebApp>;
export async function startWebApp<G extends GroupViews, C extends CartViews>(
  options: Partial<WebDeps> & { groups: G; carts: C; clock?: ManualClock },
): Promise<WebApp<G, C>>;
export async function startWebApp(
  options: Partial<WebDeps> & { clock?: ManualClock } = {},
): Promise<WebApp<GroupViews, CartViews>> {
  const groups = options.groups ?? new FakeGroups();
  const carts = options.carts ?? new FakeCarts();
  const clock = options.clock ?? new ManualClock("2026-01-01T12:00:00Z");
  const sleeps: number[] = [];
  let base = "";
  const router = createWebRouter({
    log: silentLogger,
    publicUrl: () => base,
    // Every platform as the service lists them, the web chat on (the page links to it).
    platforms: platformsOnPage(loadConfig({ PLAYGROUND: "true" }, "/nonexistent/.env").platforms),
    // Tests read right after a change; the shared poll cache has a test of its own.
    liveCacheMs: 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
    groups,
    carts,
    clock,
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
