import mongoose, { type Connection } from "mongoose";
import { ManualClock } from "../../../src/clock";
import { type Carts, createCarts } from "../../../src/engine/cart";
import { createEngine, type Engine } from "../../../src/engine/index";
import { silentLogger } from "../../../src/logger";
import { freshDatabaseUri } from "../../support/db";

export const PUBLIC_URL = "https://shop.example.test";
export const TTL_MS = 30 * 60_000;

export const PRODUCTS = [
  { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR", tiers: [], regionRebates: {} },
  { sku: "KC-PBT", name: "PBT keycap set", price: 5900, currency: "EUR", tiers: [], regionRebates: {} },
  { sku: "MOUSE-1", name: "Wireless mouse", price: 4500, currency: "USD", tiers: [], regionRebates: {} },
];

export interface CartWorld {
  clock: ManualClock;
  connections: Connection[];
  engines: Engine[];
  /** The cart service of engine 0, with sleeps recorded instead of waited. */
  carts: Carts;
  /** One cart service per engine, all recording into `sleeps`. */
  services: Carts[];
  sleeps: number[];
  close(): Promise<void>;
}

export interface WorldOptions {
  engines?: number;
  maxBadAttempts?: number;
  badAttemptDelayMs?: number;
}

/** One database, `engines` engine instances on separate connections to it, one manual clock. */
export async function openWorld(options: WorldOptions = {}): Promise<CartWorld> {
  const uri = freshDatabaseUri("cart");
  const clock = new ManualClock("2026-05-06T07:08:09Z");
  const sleeps: number[] = [];
  const connections: Connection[] = [];
  const engines: Engine[] = [];
  const services: Carts[] = [];
  for (let i = 0; i < (options.engines ?? 1); i++) {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
    connections.push(connection);
    const engine = createEngine({
      connection,
      clock,
      log: silentLogger,
      publicUrl: `${PUBLIC_URL}/`,
      groupTtlMs: 48 * 3600_000,
      session: {
        ttlMs: TTL_MS,
        maxBadAttempts: options.maxBadAttempts ?? 3,
        badAttemptDelayMs: options.badAttemptDelayMs ?? 1000,
      },
    });
    engines.push(engine);
    services.push(
      createCarts(engine.core.ctx, {
        ...engine.core.cartDeps,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
    );
  }
  await engines[0]!.catalog.upsert(PRODUCTS);
  return {
    clock,
    connections,
    engines,
    carts: services[0]!,
    services,
    sleeps,
    async close() {
      await connections[0]?.dropDatabase().catch(() => {});
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}

export const alice = { platform: "discord" as const, id: "1001", displayName: "alice" };
export const aliceOnTelegram = { platform: "telegram" as const, id: "555", displayName: "alice" };
export const mallory = { platform: "slack" as const, id: "T1:U666", displayName: "mallory" };
export const bob = { platform: "playground" as const, id: "bob" };

/** A code with the same serial and a different (well-formed) token. */
export function withOtherToken(code: string): string {
  const serial = code.slice(0, code.indexOf("-"));
  const token = code.slice(code.indexOf("-") + 1);
  const flipped = token.startsWith("A") ? `B${token.slice(1)}` : `A${token.slice(1)}`;
  return `${serial}-${flipped}`;
}

/** A code with the same token and a different serial. */
export function withOtherSerial(code: string, serial = "20260506070809999999"): string {
  const token = code.slice(code.indexOf("-") + 1);
  return `${serial}-${token}`;
}
