import type { Connection } from "mongoose";
import type { OrderDoc } from "../../../models";
import { ManualClock } from "../../../src/clock";
import { createEngine, type Engine, type EngineDeps } from "../../../src/engine";
import { silentLogger } from "../../../src/logger";
import { createFileStorefront, type FileSettings } from "../../../src/storefront/file";
import { RecordingMessenger } from "./recording-messenger";

export const PUBLIC_URL = "https://shop.test";
export const HOUR = 3_600_000;

export interface Harness {
  engine: Engine;
  clock: ManualClock;
  messenger: RecordingMessenger;
}

/** Engine settings a test may change; the file storefront's (catalog file, webhook) among them. */
export type EngineOverrides = Partial<EngineDeps> & FileSettings;

/**
 * The real engine on `connection` as tests want it: test defaults (a 48 h group lifetime, 30 min
 * carts, 3 bad attempts, no delay), the file storefront (the demo catalog unless `catalogFile`
 * says otherwise, shipping requests held unless `fulfillment` is given), indexes built and the
 * catalog loaded. Workers not started.
 */
export async function testEngine(
  connection: Connection,
  overrides: EngineOverrides & Pick<EngineDeps, "clock">,
): Promise<Engine> {
  const { catalogFile, fulfillment, ...deps } = overrides;
  const engine = createEngine({
    connection,
    log: silentLogger,
    publicUrl: PUBLIC_URL,
    groupTtlMs: 48 * HOUR,
    session: { ttlMs: 30 * 60_000, maxBadAttempts: 3, badAttemptDelayMs: 0 },
    storefront: createFileStorefront({
      ...(catalogFile ? { catalogFile } : {}),
      ...(fulfillment ? { fulfillment } : {}),
    }),
    ...deps,
  });
  await Promise.all(Object.values(engine.core.ctx.models).map((model) => model.init()));
  await engine.catalog.load();
  return engine;
}

/**
 * An engine on `connection` with a ManualClock and a recording playground messenger. Workers are
 * not started: tests drive `outbox.runOnce()` and `groups.sweep()` themselves.
 */
export async function engineOn(
  connection: Connection,
  overrides: EngineOverrides & { clock?: ManualClock } = {},
): Promise<Harness> {
  const clock = overrides.clock ?? new ManualClock("2026-03-02T10:00:00Z");
  const engine = await testEngine(connection, { ...overrides, clock });
  const messenger = new RecordingMessenger("playground");
  engine.registerMessenger(messenger);
  return { engine, clock, messenger };
}

/** Playground users who have written to the bot (so they are real, not placeholders). */
export async function people(engine: Engine, ...names: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const name of names) {
    const user = await engine.users.touch({ platform: "playground", id: name, displayName: name });
    keys.push(user._id);
  }
  return keys;
}

/** Runs `fn` and returns the UserError code it threw (or "none"). */
export async function errorCode(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "none";
  } catch (error) {
    if (error && typeof error === "object" && "code" in error) return String(error.code);
    throw error;
  }
}

/** The demo checkout's Authorize for `order`, reported as its page reports it (PAYMENTS=demo). */
export async function demoAuthorize(engine: Engine, order: OrderDoc) {
  const url = await engine.payments.checkoutLink(order);
  const checkoutId = url!.slice(url!.indexOf("/pay/") + 5);
  return engine.payments.apply({
    eventId: `demo:${checkoutId}`,
    kind: "authorized",
    orderId: order._id,
    checkoutId,
    paymentId: `demo_payment_${checkoutId}`,
    amount: order.total,
    currency: order.currency,
  });
}
