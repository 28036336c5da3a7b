import type { Connection } from "mongoose";
import { ManualClock } from "../../../src/clock";
import { createEngine, type Engine } from "../../../src/engine";
import { silentLogger } from "../../../src/logger";
import { engineCartViews, engineGroupViews } from "../../../src/web/engine-views";
import type { CartViews, GroupViews } from "../../../src/web/model";
import { dropConnection, freshConnection } from "../../support/db";
import { startWebApp, type WebApp } from "./web-app";

export interface EngineWebApp {
  engine: Engine;
  app: WebApp<GroupViews, CartViews>;
  clock: ManualClock;
  connection: Connection;
  close(): Promise<void>;
}

/** The pages over a real engine on a fresh database of the test store, its catalog loaded. */
export async function startEngineWebApp(prefix: string): Promise<EngineWebApp> {
  const connection = await freshConnection(prefix);
  const clock = new ManualClock("2026-03-02T10:00:00Z");
  const engine = createEngine({
    connection,
    clock,
    log: silentLogger,
    publicUrl: "https://shop.test",
    groupTtlMs: 48 * 3_600_000,
    session: { ttlMs: 30 * 60_000, maxBadAttempts: 3, badAttemptDelayMs: 0 },
  });
  await Promise.all(Object.values(engine.core.ctx.models).map((model) => model.init()));
  await engine.catalog.load();
  const app = await startWebApp({
    groups: engineGroupViews(engine.groups),
    carts: engineCartViews(engine.carts),
    clock,
  });
  return {
    engine,
    app,
    clock,
    connection,
    async close() {
      await app.close();
      await dropConnection(connection);
    },
  };
}
