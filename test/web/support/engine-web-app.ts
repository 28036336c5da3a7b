import type { Connection } from "mongoose";
import { ManualClock } from "../../../src/clock";
import type { Engine } from "../../../src/engine";
import { engineCartViews, engineGroupViews } from "../../../src/web/engine-views";
import type { CartViews, GroupViews } from "../../../src/web/model";
import { testEngine } from "../../engine/support/harness";
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
  const engine = await testEngine(connection, { clock });
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
