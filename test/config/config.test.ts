import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { discordPlatform } from "../../adapters/discord/platform";
import { playgroundPlatform } from "../../adapters/playground/platform";
import { slackPlatform } from "../../adapters/slack/platform";
import { telegramPlatform } from "../../adapters/telegram/platform";
import { ConfigError, loadConfig } from "../../src/config";
import { settingsOf } from "../../src/platform";

const NO_DOTENV = "/nonexistent/.env";
const DISCORD = { DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_BOT_TOKEN: "d".repeat(40) };
const load = (env: Record<string, string>) => loadConfig(env, NO_DOTENV);

function errorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("applies the contract's defaults when nothing is set", () => {
    const config = load({});
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBeUndefined();
    expect(config.mongodbUri).toBeUndefined();
    expect(config.session).toEqual({ ttlMs: 30 * 60_000, maxBadAttempts: 3, badAttemptDelayMs: 1000 });
    expect(config.groupTtlMs).toBe(48 * 3_600_000);
    expect(config.outboxRetentionMs).toBe(7 * 24 * 3_600_000);
    expect(settingsOf(config, playgroundPlatform).enabled).toBe(true);
    expect(settingsOf(config, slackPlatform).enabled).toBe(false);
    expect(settingsOf(config, telegramPlatform).enabled).toBe(false);
    expect(settingsOf(config, discordPlatform).enabled).toBe(false);
    expect(config.fulfillment).toBeUndefined();
  });

  it("gives a waitlisted member WAITLIST_CONFIRM (default 30m) to take a freed place", () => {
    expect(load({}).waitlistConfirmMs).toBe(1_800_000);
    expect(load({ WAITLIST_CONFIRM: "10m" }).waitlistConfirmMs).toBe(600_000);
  });

  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["48h", 172_800_000],
    ["7d", 604_800_000],
  ])("reads the duration %s", (text, ms) => {
    expect(load({ SESSION_TTL: text }).session.ttlMs).toBe(ms);
    expect(load({ GROUP_TTL: text }).groupTtlMs).toBe(ms);
    expect(load({ OUTBOX_RETENTION: text }).outboxRetentionMs).toBe(ms);
  });

  it.each([
    [{ PORT: "70000" }, "PORT", "port number"],
    [{ PORT: "abc" }, "PORT", "port number"],
    [{ PUBLIC_URL: "not a url" }, "PUBLIC_URL", "URL"],
    [{ MONGODB_URI: "postgres://x" }, "MONGODB_URI", "mongodb://"],
    [{ CATALOG_FILE: "/no/such/catalog.json" }, "CATALOG_FILE", "existing JSON"],
    [{ SESSION_TTL: "30 minutes" }, "SESSION_TTL", "90s, 30m, 48h or 7d"],
    [{ GROUP_TTL: "0h" }, "GROUP_TTL", "90s, 30m, 48h or 7d"],
    [{ WAITLIST_CONFIRM: "30s" }, "WAITLIST_CONFIRM", "1m to 24h"],
    [{ WAITLIST_CONFIRM: "2d" }, "WAITLIST_CONFIRM", "1m to 24h"],
    [{ SESSION_MAX_BAD_ATTEMPTS: "0" }, "SESSION_MAX_BAD_ATTEMPTS", "whole number"],
    [{ SESSION_BAD_ATTEMPT_DELAY_MS: "-5" }, "SESSION_BAD_ATTEMPT_DELAY_MS", "milliseconds"],
    [{ PLAYGROUND: "maybe" }, "PLAYGROUND", "true or false"],
    [{ DISCORD_GATEWAY: "yes" }, "DISCORD_GATEWAY", "true or false"],
    [{ DISCORD_PUBLIC_KEY: "xyz" }, "DISCORD_PUBLIC_KEY", "64 hex"],
    [{ DISCORD_APPLICATION_ID: "abc" }, "DISCORD_APPLICATION_ID", "numeric"],
    [{ SLACK_BOT_TOKEN: "token" }, "SLACK_BOT_TOKEN", "xoxb-"],
    [{ SLACK_API_URL: "ftp://x" }, "SLACK_API_URL", "URL"],
    [{ SLACK_COMMAND_PREFIX: "CC " }, "SLACK_COMMAND_PREFIX", "lowercase"],
    [{ SLACK_COMMAND_PREFIX: "a".repeat(17) }, "SLACK_COMMAND_PREFIX", "16"],
    [{ SLACK_APP_TOKEN: "xoxb-1" }, "SLACK_APP_TOKEN", "xapp-"],
    [{ SLACK_APP_TOKEN: "xapp-1-A1-2-abc" }, "SLACK_BOT_TOKEN", "xoxb-"],
    [{ TELEGRAM_BOT_TOKEN: "nope" }, "TELEGRAM_BOT_TOKEN", "BotFather"],
    [{ TELEGRAM_WEBHOOK_SECRET: "has spaces" }, "TELEGRAM_WEBHOOK_SECRET", "A-Z"],
    [{ TELEGRAM_API_ROOT: "x" }, "TELEGRAM_API_ROOT", "URL"],
    [{ DISCORD_API_URL: "x" }, "DISCORD_API_URL", "URL"],
    [{ FULFILLMENT_WEBHOOK_URL: "x" }, "FULFILLMENT_WEBHOOK_URL", "URL"],
    [{ FULFILLMENT_WEBHOOK_SECRET: "short" }, "FULFILLMENT_WEBHOOK_SECRET", "16 characters"],
    [{ SLACK_SIGNING_SECRET: "a".repeat(32) }, "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN", "both set"],
    [{ DISCORD_BOT_TOKEN: "b".repeat(40) }, "DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN", "both set"],
    [{ NODE_ENV: "staging" }, "NODE_ENV", "production"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", "info"],
    [{ NODE_ENV: "production" }, "MONGODB_URI", "or DATA_DIR set"],
    [{ NODE_ENV: "production", DATA_DIR: ":memory:" }, "DATA_DIR", "never keeps its data in memory"],
    [{ OUTBOX_RETENTION: "forever" }, "OUTBOX_RETENTION", "90s, 30m, 48h or 7d"],
    [{ ...DISCORD, DISCORD_SHARDS: "0" }, "DISCORD_SHARDS", "auto or a whole number"],
    [{ ...DISCORD, DISCORD_SHARDS: "many" }, "DISCORD_SHARDS", "auto or a whole number"],
    [{ ...DISCORD, DISCORD_SHARDS: "2", DISCORD_SHARD_IDS: "0;1" }, "DISCORD_SHARD_IDS", "0,1"],
    [{ ...DISCORD, DISCORD_SHARDS: "2", DISCORD_SHARD_IDS: "1,2" }, "DISCORD_SHARD_IDS", "from 0 to 1"],
    [{ ...DISCORD, DISCORD_SHARD_IDS: "0" }, "DISCORD_SHARDS", "total number of shards"],
    [{ ...DISCORD, DISCORD_SHARDS: "auto", DISCORD_SHARD_IDS: "0" }, "DISCORD_SHARDS", "total number"],
  ])("rejects %j naming %s and the expected form", (env, variable, expected) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("\n");
  });

  it("reads Discord sharding: auto, a count run whole, or some ids of a count", () => {
    expect(settingsOf(load(DISCORD), discordPlatform).shards).toBeUndefined();
    expect(settingsOf(load({ ...DISCORD, DISCORD_SHARDS: "auto" }), discordPlatform).shards).toEqual({
      count: "auto",
    });
    expect(settingsOf(load({ ...DISCORD, DISCORD_SHARDS: "3" }), discordPlatform).shards).toEqual({
      count: 3,
      ids: [0, 1, 2],
    });
    expect(
      settingsOf(load({ ...DISCORD, DISCORD_SHARDS: "4", DISCORD_SHARD_IDS: " 3, 1,1" }), discordPlatform)
        .shards,
    ).toEqual({
      count: 4,
      ids: [1, 3],
    });
  });

  it("never echoes a secret's value in the error line", () => {
    const error = errorOf({
      FULFILLMENT_WEBHOOK_SECRET: "hunter2",
      FULFILLMENT_WEBHOOK_URL: "https://x.test",
    });
    expect(error.message).not.toContain("hunter2");
  });

  it("runs Slack over Socket Mode with a bot and an app token, no signing secret needed", () => {
    const config = load({
      SLACK_BOT_TOKEN: "xoxb-1-2-3",
      SLACK_APP_TOKEN: "xapp-1-A1-2-abc",
      SLACK_COMMAND_PREFIX: "cc-",
    });
    const slack = settingsOf(config, slackPlatform);
    expect(slack).toMatchObject({ enabled: true, appToken: "xapp-1-A1-2-abc", commandPrefix: "cc-" });
    expect(slack.signingSecret).toBeUndefined();
  });

  it("keeps the embedded store's data in ./data unless DATA_DIR says otherwise", () => {
    expect(load({}).dataDir).toBe("./data");
    expect(load({ DATA_DIR: ":memory:" }).dataDir).toBe(":memory:");
  });

  it("runs production on the embedded store when DATA_DIR is set explicitly", () => {
    const config = load({ NODE_ENV: "production", DATA_DIR: "/var/lib/crowdcart" });
    expect(config.mongodbUri).toBeUndefined();
    expect(config.dataDir).toBe("/var/lib/crowdcart");
  });

  it("turns the playground off in production unless asked for", () => {
    const uri = { NODE_ENV: "production", MONGODB_URI: "mongodb://db.example:27017/cc" };
    expect(settingsOf(load(uri), playgroundPlatform).enabled).toBe(false);
    const forced = settingsOf(load({ ...uri, PLAYGROUND: "true" }), playgroundPlatform);
    expect(forced).toEqual({ enabled: true, forcedInProduction: true });
  });

  it("enables each adapter only when its variables are set", () => {
    const config = load({
      SLACK_SIGNING_SECRET: "s".repeat(32),
      SLACK_BOT_TOKEN: "xoxb-1-2-3",
      TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      DISCORD_APPLICATION_ID: "123456789012345678",
      DISCORD_BOT_TOKEN: "t".repeat(40),
      DISCORD_GATEWAY: "false",
    });
    const slack = settingsOf(config, slackPlatform);
    expect(slack).toMatchObject({ enabled: true, botToken: "xoxb-1-2-3", commandPrefix: "" });
    expect(slack.appToken).toBeUndefined();
    const telegram = settingsOf(config, telegramPlatform);
    expect(telegram.enabled).toBe(true);
    expect(telegram.webhookSecret).toBeUndefined();
    expect(settingsOf(config, discordPlatform)).toMatchObject({ enabled: true, gateway: false });
    expect(settingsOf(config, discordPlatform).publicKey).toBeUndefined();
  });

  it("reads .env when present and lets the real environment win", () => {
    const dir = mkdtempSync(join(tmpdir(), "cc-env-"));
    const file = join(dir, ".env");
    writeFileSync(file, "PORT=4100\nGROUP_TTL=7d\n");
    const config = loadConfig({ PORT: "4200" }, file);
    expect(config.port).toBe(4200);
    expect(config.groupTtlMs).toBe(7 * 86_400_000);
  });

  it("strips a trailing slash from PUBLIC_URL so links join cleanly", () => {
    expect(load({ PUBLIC_URL: "https://shop.example.com/" }).publicUrl).toBe("https://shop.example.com");
  });
});

const SHOPIFY = {
  STOREFRONT: "shopify",
  SHOPIFY_SHOP: "crowd-test.myshopify.com",
  SHOPIFY_ADMIN_TOKEN: `shpat_${"a1".repeat(16)}`,
  SHOPIFY_WEBHOOK_SECRET: "w".repeat(32),
};
const MEDUSA = {
  STOREFRONT: "medusa",
  MEDUSA_URL: "http://127.0.0.1:9000",
  MEDUSA_API_KEY: `sk_${"m".repeat(32)}`,
};

describe("STOREFRONT and CATALOG_REFRESH", () => {
  it("defaults to the catalog file and the shipping webhook, carrying their settings", () => {
    const config = load({
      FULFILLMENT_WEBHOOK_URL: "https://ship.example.com/in",
      FULFILLMENT_WEBHOOK_SECRET: "s".repeat(20),
    });
    expect(config.storefront).toEqual({
      id: "file",
      settings: { fulfillment: { url: "https://ship.example.com/in", secret: "s".repeat(20) } },
    });
  });

  it("reads only the chosen storefront's variables, with CATALOG_REFRESH (5m unless set)", () => {
    expect(load(SHOPIFY).storefront).toEqual({
      id: "shopify",
      settings: {
        shop: SHOPIFY.SHOPIFY_SHOP,
        adminToken: SHOPIFY.SHOPIFY_ADMIN_TOKEN,
        webhookSecret: SHOPIFY.SHOPIFY_WEBHOOK_SECRET,
        refreshEveryMs: 5 * 60_000,
      },
    });
    expect(load({ ...MEDUSA, CATALOG_REFRESH: "90s" }).storefront).toEqual({
      id: "medusa",
      settings: { url: MEDUSA.MEDUSA_URL, apiKey: MEDUSA.MEDUSA_API_KEY, refreshEveryMs: 90_000 },
    });
    // Another storefront's variables are not required, nor read.
    expect(load({ SHOPIFY_SHOP: "not a shop" }).storefront.id).toBe("file");
  });

  it.each([
    [{ STOREFRONT: "woocommerce" }, "STOREFRONT", "one of file, shopify, medusa"],
    [{ CATALOG_REFRESH: "5 minutes" }, "CATALOG_REFRESH", "at least 10s"],
    [{ CATALOG_REFRESH: "1s" }, "CATALOG_REFRESH", "at least 10s"],
    [{ STOREFRONT: "shopify" }, "SHOPIFY_SHOP", "myshopify.com"],
    [{ ...SHOPIFY, SHOPIFY_SHOP: "shop.example.com" }, "SHOPIFY_SHOP", "myshopify.com"],
    [{ ...SHOPIFY, SHOPIFY_ADMIN_TOKEN: "" }, "SHOPIFY_ADMIN_TOKEN", "shpat_"],
    [{ ...SHOPIFY, SHOPIFY_WEBHOOK_SECRET: "short" }, "SHOPIFY_WEBHOOK_SECRET", "secret"],
    [{ ...SHOPIFY, SHOPIFY_API_URL: "ftp://x" }, "SHOPIFY_API_URL", "URL"],
    [{ STOREFRONT: "medusa" }, "MEDUSA_URL", "URL"],
    [{ ...MEDUSA, MEDUSA_API_KEY: "" }, "MEDUSA_API_KEY", "API key"],
  ])("%j is refused with one line naming %s", (env, variable, expected) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("\n");
  });
});

const STRIPE = {
  PAYMENTS: "stripe",
  STRIPE_SECRET_KEY: "sk_test_abc123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc123",
};

describe("payments configuration", () => {
  it("takes no money unless asked: PAYMENTS=none and a 30 minute window by default", () => {
    expect(load({}).payments).toEqual({ provider: "none", windowMs: 30 * 60_000, stripe: undefined });
  });

  it("reads Stripe's keys and API base with PAYMENTS=stripe", () => {
    const config = load({ ...STRIPE, STRIPE_API_URL: "http://127.0.0.1:12111", PAYMENT_WINDOW: "45m" });
    expect(config.payments).toEqual({
      provider: "stripe",
      windowMs: 45 * 60_000,
      stripe: {
        secretKey: "sk_test_abc123",
        webhookSecret: "whsec_abc123",
        apiUrl: "http://127.0.0.1:12111",
      },
    });
  });

  it("the demo needs no keys", () => {
    expect(load({ PAYMENTS: "demo" }).payments.provider).toBe("demo");
  });

  it.each([
    [{ PAYMENTS: "paypal" }, "PAYMENTS", "none, stripe or demo"],
    [{ PAYMENTS: "stripe" }, "STRIPE_SECRET_KEY", "PAYMENTS=stripe needs"],
    [{ ...STRIPE, STRIPE_WEBHOOK_SECRET: "" }, "STRIPE_WEBHOOK_SECRET", "PAYMENTS=stripe needs"],
    [{ ...STRIPE, STRIPE_SECRET_KEY: "pk_test_abc" }, "STRIPE_SECRET_KEY", "secret key"],
    [{ ...STRIPE, STRIPE_WEBHOOK_SECRET: "abc" }, "STRIPE_WEBHOOK_SECRET", "whsec_"],
    [{ STRIPE_API_URL: "stripe" }, "STRIPE_API_URL", "URL"],
    [{ PAYMENT_WINDOW: "30s" }, "PAYMENT_WINDOW", "1m to 24h"],
    [{ PAYMENT_WINDOW: "2d" }, "PAYMENT_WINDOW", "1m to 24h"],
  ])("rejects %j naming %s, never echoing a key", (env, variable, expected) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain("pk_test_abc");
  });
});
