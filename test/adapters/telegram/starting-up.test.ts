import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createTelegramAdapter } from "../../../adapters/telegram";
import { createApp } from "../../../src/app";
import { silentLogger } from "../../../src/logger";
import { createMetrics } from "../../../src/metrics";
import { listen, type RunningServer } from "../../../src/server";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";

let api: FakeTelegramApi;
let running: RunningServer;

beforeAll(async () => {
  api = await startFakeTelegramApi();
  // The route exists before the router does (it is mounted before the server listens).
  const adapter = createTelegramAdapter({
    config: { botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", webhookSecret: "s3cret", apiRoot: api.apiRoot },
    chat: () => undefined,
    users: () => undefined,
    log: silentLogger,
    publicUrl: () => "https://shop.test",
  });
  const app = createApp({
    log: silentLogger,
    metrics: createMetrics(),
    healthy: async () => true,
    mounts: [adapter.mount!],
  });
  running = await listen(app, 0, "127.0.0.1");
});
afterAll(async () => {
  await running?.close(100);
  await api?.close();
});

describe("Telegram webhook while the service starts", () => {
  it("answers 503 so Telegram redelivers the update later, and calls nothing", async () => {
    const res = await fetch(`http://127.0.0.1:${running.port}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "s3cret" },
      body: JSON.stringify({
        update_id: 1,
        message: { message_id: 1, chat: { id: 1, type: "private" }, text: "/help" },
      }),
    });
    expect(res.status).toBe(503);
    expect(api.calls).toHaveLength(0);
  });
});
