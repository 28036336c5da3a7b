/**
 * Group page server time at 100 members (issue 8: target < 20 ms), and what live polling costs.
 * Run: npx tsx bench/group-page.ts        (BENCH_ROUNDS=1000 by default)
 *
 * 1. render only: the template layer and the JSON twin from a view model;
 * 2. through HTTP over an in-memory view: router, helmet, QR (cached), response (timed server-side,
 *    from the request's arrival to its last byte being handed to the socket);
 * 3. through HTTP over the real engine on the embedded store: the engine's view (4 queries) included;
 *    the same for a poll that ends in 304 (the request every open page makes every 5 s), with the
 *    group's JSON shared between viewers for 1 s (the default) and with every poll reading the engine.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import mongoose from "mongoose";
import { platformsOnPage } from "../adapters";
import { startEmbeddedMongo } from "../embedded-mongo";
import { ManualClock } from "../src/clock";
import { loadConfig } from "../src/config";
import { createEngine } from "../src/engine";
import type { Platform } from "../src/kernel";
import { silentLogger } from "../src/logger";
import { loadAssets } from "../src/web/assets";
import { engineCartViews, engineGroupViews } from "../src/web/engine-views";
import { groupJson } from "../src/web/group-json";
import { renderGroupPage } from "../src/web/group-page";
import type { CartViews, GroupPageModel, GroupViews } from "../src/web/model";
import { platformLabels } from "../src/web/platforms";
import { qrSvg } from "../src/web/qr";
import { createWebRouter } from "../src/web/router";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const MEMBERS = 100;
const PLATFORMS: Platform[] = ["discord", "slack", "telegram", "playground"];

function stats(label: string, samples: number[], extra = ""): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(
    `${label.padEnd(46)} mean ${mean.toFixed(3).padStart(7)} ms  p50 ${at(0.5).toFixed(3).padStart(7)}  p95 ${at(0.95).toFixed(3).padStart(7)}  p99 ${at(0.99).toFixed(3).padStart(7)}  (n=${samples.length})${extra}`,
  );
}

function model(): GroupPageModel {
  const members = Array.from({ length: MEMBERS }, (_, i) => ({
    displayName: `Member number ${i} <b>&</b>`,
    platform: PLATFORMS[i % PLATFORMS.length] ?? "discord",
  }));
  return {
    code: "7KQ3M9XPT2VAB",
    state: "open",
    product: { sku: "KB-75", name: "75% keyboard kit", price: 12900, currency: "EUR" },
    tiers: [
      { members: 3, percentOff: 10 },
      { members: 50, percentOff: 20 },
      { members: 150, percentOff: 25 },
    ],
    memberCount: MEMBERS,
    target: 50,
    cap: 200,
    expiresAt: new Date("2026-01-03T12:00:00Z"),
    organiser: { displayName: "Olivia", platform: "discord" },
    members,
  };
}

/** Serves `router` and records each request's server time (arrival → response finished). */
async function serve(router: express.Router) {
  const times: number[] = [];
  const app = express();
  app.use((_req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => times.push(Number(process.hrtime.bigint() - start) / 1e6));
    next();
  });
  app.use(router);
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, times, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function measureHttp(label: string, base: string, times: number[], path: string, json = false) {
  let bytes = 0;
  let etag: string | null = null;
  const get = async () => {
    const headers: Record<string, string> = { Accept: json ? "application/json" : "text/html" };
    if (json && etag) headers["If-None-Match"] = etag;
    const res = await fetch(`${base}${path}`, { headers });
    bytes = (await res.arrayBuffer()).byteLength;
    etag = res.headers.get("etag") ?? etag;
    return res.status;
  };
  for (let i = 0; i < 50; i++) await get(); // warm-up (JIT, QR cache, connection)
  await new Promise((resolve) => setTimeout(resolve, 50));
  times.length = 0;
  let status = 0;
  for (let i = 0; i < ROUNDS; i++) status = await get();
  stats(label, times, `  status ${status}, ${bytes} B body`);
}

/** Every platform as the service lists them on its pages. */
const platforms = platformsOnPage(loadConfig({}, "/nonexistent/.env").platforms);
const labels = platformLabels(platforms);

async function main(): Promise<void> {
  const assets = loadAssets();
  const group = model();
  const now = new Date("2026-01-01T12:00:00Z");
  const publicUrl = "https://shop.example";
  const url = `${publicUrl}/g/${group.code}`;
  const qr = await qrSvg(url, `QR code of ${url}`);

  console.log(`group page at ${MEMBERS} members, ${ROUNDS} rounds each (target: < 20 ms server time)\n`);
  const render: number[] = [];
  const json: number[] = [];
  let size = 0;
  for (let i = 0; i < ROUNDS + 200; i++) {
    const a = process.hrtime.bigint();
    size = renderGroupPage({ group, url, qr, now, assets, pollMs: 5000, publicUrl, platforms }).value.length;
    const b = process.hrtime.bigint();
    JSON.stringify(groupJson(group, url, now, labels));
    const c = process.hrtime.bigint();
    if (i >= 200) {
      render.push(Number(b - a) / 1e6);
      json.push(Number(c - b) / 1e6);
    }
  }
  stats("render HTML (template layer only)", render, `  ${size} B`);
  stats("render JSON twin", json);
  const qrTimes: number[] = [];
  for (let i = 0; i < 50; i++) {
    const a = process.hrtime.bigint();
    await qrSvg(`https://shop.example/g/UNCACHED${i}`, "x");
    qrTimes.push(Number(process.hrtime.bigint() - a) / 1e6);
  }
  stats("QR code, first draw (then cached)", qrTimes);

  // 2. HTTP over an in-memory view.
  const clock = new ManualClock(now);
  const memoryGroups: GroupViews = {
    view: async () => structuredClone(group),
    orders: async () => undefined,
  };
  const noCarts: CartViews = { viewByCode: async () => ({ kind: "not_found", message: "", delayMs: 0 }) };
  const memory = await serve(
    createWebRouter({
      groups: memoryGroups,
      carts: noCarts,
      clock,
      log: silentLogger,
      publicUrl: () => "https://shop.example",
      platforms,
    }),
  );
  await measureHttp("HTTP page, in-memory view", memory.base, memory.times, `/g/${group.code}`);
  await measureHttp("HTTP poll (304), in-memory view", memory.base, memory.times, `/g/${group.code}`, true);
  await memory.close();

  // 3. HTTP over the real engine on the embedded store.
  const store = await startEmbeddedMongo();
  const dbUrl = new URL(store.uri);
  dbUrl.pathname = "/bench_web";
  const connection = await mongoose.createConnection(dbUrl.toString()).asPromise();
  try {
    const engine = createEngine({
      connection,
      clock,
      log: silentLogger,
      publicUrl: "https://shop.example",
      groupTtlMs: 48 * 3_600_000,
      session: { ttlMs: 30 * 60_000, maxBadAttempts: 3, badAttemptDelayMs: 0 },
    });
    await Promise.all(Object.values(engine.core.ctx.models).map((m) => m.init()));
    await engine.catalog.load();
    const organiser = (await engine.users.touch({ platform: "discord", id: "1000", displayName: "Olivia" }))
      ._id;
    const opened = await engine.groups.open(organiser, "KB-75", { size: 50, max: 200 });
    for (let i = 0; i < MEMBERS; i++) {
      const platform = PLATFORMS[i % PLATFORMS.length] ?? "discord";
      const key = (await engine.users.touch({ platform, id: `u${i}`, displayName: `Member ${i}` }))._id;
      await engine.groups.join(key, opened.code);
    }
    const real = await serve(
      createWebRouter({
        groups: engineGroupViews(engine.groups),
        carts: engineCartViews(engine.carts),
        clock,
        log: silentLogger,
        publicUrl: () => "https://shop.example",
        platforms,
      }),
    );
    const engineTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = process.hrtime.bigint();
      await engine.groups.view(opened.code, { countAccess: false });
      if (i >= 20) engineTimes.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    stats("engine.groups.view alone (embedded store)", engineTimes);
    await measureHttp("HTTP page, engine + embedded store", real.base, real.times, `/g/${opened.code}`);
    await measureHttp(
      "HTTP poll (304), engine, shared 1 s",
      real.base,
      real.times,
      `/g/${opened.code}`,
      true,
    );
    await real.close();
    const uncached = await serve(
      createWebRouter({
        groups: engineGroupViews(engine.groups),
        carts: engineCartViews(engine.carts),
        clock,
        log: silentLogger,
        publicUrl: () => "https://shop.example",
        platforms,
        liveCacheMs: 0,
      }),
    );
    await measureHttp(
      "HTTP poll (304), engine, every poll reads",
      uncached.base,
      uncached.times,
      `/g/${opened.code}`,
      true,
    );
    await uncached.close();
  } finally {
    await connection.close();
    await store.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
