/**
 * Benchmark 3: a group tagging 1,000 Telegram members, its DMs delivered through a local fake Bot
 * API that enforces 30 messages/s with 429 + retry_after. Holds when all 1,000 arrive, none twice,
 * without a single 429 (the outbox sits under the limit, not on it), within 1.1x the time the limit
 * allows (1,000 / 30 per second ≈ 33.3 s, so at most 36.7 s).
 * Run: npx tsx bench/dm-fanout.ts   (BENCH_MEMBERS=1000)
 */

import { startEmbeddedMongo } from "../embedded-mongo";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/logger";
import { startService } from "../src/service";
import { FAKE_TELEGRAM_TOKEN, startFakeTelegramApi } from "../test/support/fake-telegram-api";
import { machine, printTable } from "./support/stats";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1000);
const RATE = 30;
const FIRST_MEMBER_ID = 500_000;

async function main(): Promise<void> {
  const store = await startEmbeddedMongo();
  const telegram = await startFakeTelegramApi({ messagesPerSecond: RATE });
  const config = loadConfig(
    {
      PORT: "0",
      PLAYGROUND: "false",
      TELEGRAM_BOT_TOKEN: FAKE_TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: "bench-secret",
      TELEGRAM_API_ROOT: telegram.apiRoot,
    },
    "/nonexistent/.env",
  );
  const service = await startService(config, silentLogger, {
    mongodbUri: store.uri.replace("/?", "/bench_fanout?"),
  });
  try {
    const { engine } = service;
    const members = Array.from({ length: MEMBERS }, (_, i) => `telegram:${FIRST_MEMBER_ID + i}`);
    for (const key of members) {
      await engine.users.touch({ platform: "telegram", id: key.slice("telegram:".length) });
    }
    await engine.users.touch({ platform: "telegram", id: "1", displayName: "Organiser" });

    const started = performance.now();
    await engine.groups.open("telegram:1", "KB-75", { size: 2, max: MEMBERS, members });
    const delivered = () => new Set(okSends().map((call) => String(call.body.chat_id)));
    const okSends = () => telegram.callsTo("sendMessage").filter((call) => call.status === 200);
    const deadline = started + 120_000;
    while (delivered().size < MEMBERS && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const sends = okSends();
    const unique = delivered().size;
    const tooMany = telegram.callsTo("sendMessage").filter((call) => call.status === 429).length;
    const firstAt = Math.min(...sends.map((call) => call.at));
    const startedAt = performance.timeOrigin + started;
    const floor = MEMBERS / RATE;
    printTable(`DM fan-out: ${MEMBERS} Telegram members, fake Bot API at ${RATE} msg/s — ${machine()}`, [
      {
        delivered: unique,
        "sent twice": sends.length - unique,
        "429 answers": tooMany,
        "first DM after s": (firstAt - startedAt) / 1000,
        seconds: seconds,
        "limit allows s": floor,
        "x limit": seconds / floor,
        verdict:
          unique === MEMBERS && sends.length === unique && tooMany === 0 && seconds <= floor * 1.1
            ? "within target"
            : "MISSED",
      },
    ]);
  } finally {
    await service.stop();
    await telegram.close();
    await store.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
