import { existsSync } from "node:fs";
import dotenv from "dotenv";
import { z } from "zod";
import { IN_MEMORY } from "../embedded-mongo";
import { parseDuration } from "./format";

/** `npm start` keeps the embedded store's data here unless DATA_DIR says otherwise. */
const DEFAULT_DATA_DIR = "./data";

/**
 * Every variable of the contract, with the form it must take. The `expected` text is what a
 * person reads when the value is wrong, so it names the form, never echoes a secret.
 */
const spec = {
  NODE_ENV: {
    schema: z.enum(["development", "production", "test"]).default("development"),
    expected: "development, production or test",
  },
  LOG_LEVEL: {
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    expected: "one of fatal, error, warn, info, debug, trace, silent",
  },
  PORT: {
    schema: z.coerce.number().int().min(0).max(65535).default(3000),
    expected: "a port number from 0 to 65535 (0 = any free port)",
  },
  PUBLIC_URL: { schema: httpUrl().optional(), expected: "an http(s) URL such as https://shop.example.com" },
  MONGODB_URI: {
    schema: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/\S+$/)
      .optional(),
    expected: "a mongodb:// or mongodb+srv:// connection string",
  },
  DATA_DIR: {
    schema: z.string().min(1).optional(),
    expected: "a directory for the embedded store's data, or :memory: to keep nothing on disk",
  },
  CATALOG_FILE: {
    schema: z.string().min(1).refine(existsSync).optional(),
    expected: "the path of an existing JSON catalog file",
  },
  SLACK_SIGNING_SECRET: {
    schema: secret(),
    expected: "the signing secret from the Slack app's Basic Information page",
  },
  SLACK_BOT_TOKEN: {
    schema: z.string().startsWith("xoxb-").optional(),
    expected: "a bot token starting with xoxb-",
  },
  SLACK_API_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL ending in /api/, e.g. http://127.0.0.1:9000/api/",
  },
  SLACK_COMMAND_PREFIX: {
    // Slack names are lowercase, without spaces, at most 32 characters: the longest name then fits.
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,15}$/)
      .optional(),
    expected: "up to 16 lowercase letters, digits and dashes, e.g. cc-",
  },
  SLACK_APP_TOKEN: {
    schema: z
      .string()
      .regex(/^xapp-\S+$/)
      .optional(),
    expected:
      "an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)",
  },
  TELEGRAM_BOT_TOKEN: {
    schema: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/)
      .optional(),
    expected: "a bot token from @BotFather, like 123456:ABC-DEF...",
  },
  TELEGRAM_WEBHOOK_SECRET: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/)
      .optional(),
    expected: "1 to 256 characters of A-Z, a-z, 0-9, _ and -",
  },
  TELEGRAM_API_ROOT: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL such as http://127.0.0.1:9000",
  },
  DISCORD_APPLICATION_ID: {
    schema: z
      .string()
      .regex(/^\d{15,25}$/)
      .optional(),
    expected: "the numeric application id from the Discord developer portal",
  },
  DISCORD_BOT_TOKEN: { schema: secret(), expected: "the bot token from the Discord developer portal" },
  DISCORD_PUBLIC_KEY: {
    schema: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/)
      .optional(),
    expected: "64 hex characters (the application's public key)",
  },
  DISCORD_GATEWAY: { schema: bool().optional(), expected: "true or false" },
  DISCORD_API_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL such as http://127.0.0.1:9000/api",
  },
  DISCORD_SHARDS: {
    schema: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(10_000)]).optional(),
    expected: "auto or a whole number of shards from 1 to 10000",
  },
  DISCORD_SHARD_IDS: {
    schema: z
      .string()
      .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/)
      .transform((list) => [...new Set(list.split(",").map(Number))].sort((a, b) => a - b))
      .optional(),
    expected: "a comma-separated list of shard ids such as 0,1",
  },
  FULFILLMENT_WEBHOOK_URL: {
    schema: httpUrl().optional(),
    expected: "an http(s) URL that accepts shipping requests",
  },
  FULFILLMENT_WEBHOOK_SECRET: { schema: secret(), expected: "a shared secret of at least 16 characters" },
  SESSION_TTL: { schema: duration("30m"), expected: "a duration like 90s, 30m, 48h or 7d" },
  SESSION_MAX_BAD_ATTEMPTS: {
    schema: z.coerce.number().int().min(1).max(100).default(3),
    expected: "a whole number from 1 to 100",
  },
  SESSION_CODE_SECRET: {
    schema: z.string().min(32).optional(),
    expected: "a random secret of at least 32 characters (seals cart session tokens at rest)",
  },
  SESSION_BAD_ATTEMPT_DELAY_MS: {
    schema: z.coerce.number().int().min(0).max(10_000).default(1000),
    expected: "milliseconds from 0 to 10000",
  },
  GROUP_TTL: { schema: duration("48h"), expected: "a duration like 90s, 30m, 48h or 7d" },
  OUTBOX_RETENTION: { schema: duration("7d"), expected: "a duration like 90s, 30m, 48h or 7d" },
  PLAYGROUND: { schema: bool().optional(), expected: "true or false" },
} as const;

function httpUrl() {
  return z.string().refine((value) => /^https?:$/.test(safeUrl(value)?.protocol ?? ""));
}
function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
function secret() {
  return z.string().min(16).optional();
}
function bool() {
  return z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
}
function duration(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) ctx.addIssue({ code: "custom" });
      return ms ?? 0;
    });
}

type Spec = typeof spec;
type Raw = { [K in keyof Spec]: z.output<Spec[K]["schema"]> };

export type Config = ReturnType<typeof shape>;

/** Variables whose values must never be printed. */
export const SECRET_VARIABLES = [
  "SLACK_SIGNING_SECRET",
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "TELEGRAM_BOT_TOKEN",
  "TELEGRAM_WEBHOOK_SECRET",
  "DISCORD_BOT_TOKEN",
  "FULFILLMENT_WEBHOOK_SECRET",
  "SESSION_CODE_SECRET",
  "MONGODB_URI",
] as const;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`config: ${variable} is not valid: expected ${expected}`);
    this.name = "ConfigError";
  }
}

/** Reads `.env` (when present; real environment wins) and validates every variable once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvPath = ".env"): Config {
  const merged: NodeJS.ProcessEnv = { ...readDotenv(dotenvPath), ...env };
  const raw: Record<string, unknown> = {};
  for (const [name, { schema, expected }] of Object.entries(spec)) {
    const value = merged[name] === "" ? undefined : merged[name];
    const result = schema.safeParse(value);
    if (!result.success) throw new ConfigError(name, expected);
    raw[name] = result.data;
  }
  return shape(raw as Raw);
}

function fail(variable: string, expected: string): never {
  throw new ConfigError(variable, expected);
}

function readDotenv(path: string): NodeJS.ProcessEnv {
  if (!existsSync(path)) return {};
  return dotenv.config({ path, processEnv: {}, quiet: true }).parsed ?? {};
}

function shape(raw: Raw) {
  const production = raw.NODE_ENV === "production";
  // Production runs on the embedded store only when someone chose where its data lives.
  if (production && !raw.MONGODB_URI && !raw.DATA_DIR) {
    throw new ConfigError(
      "MONGODB_URI",
      "a MongoDB connection string, or DATA_DIR set to the embedded store's directory (NODE_ENV=production, one instance only)",
    );
  }
  if (production && !raw.MONGODB_URI && raw.DATA_DIR === IN_MEMORY) {
    throw new ConfigError("DATA_DIR", "a directory: NODE_ENV=production never keeps its data in memory only");
  }
  const pair = (a: string | undefined, b: string | undefined, names: string) => {
    if (Boolean(a) !== Boolean(b))
      throw new ConfigError(names, "both set (the adapter needs both) or both unset");
    return Boolean(a && b);
  };
  // Socket Mode (an app token) receives nothing over HTTP, so it needs no signing secret.
  const slack = raw.SLACK_APP_TOKEN
    ? Boolean(raw.SLACK_BOT_TOKEN) ||
      fail("SLACK_BOT_TOKEN", "a bot token starting with xoxb- (SLACK_APP_TOKEN needs it)")
    : pair(raw.SLACK_SIGNING_SECRET, raw.SLACK_BOT_TOKEN, "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
  const discord = pair(
    raw.DISCORD_APPLICATION_ID,
    raw.DISCORD_BOT_TOKEN,
    "DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN",
  );
  const shards = discordShards(raw.DISCORD_SHARDS, raw.DISCORD_SHARD_IDS);
  pair(
    raw.FULFILLMENT_WEBHOOK_URL,
    raw.FULFILLMENT_WEBHOOK_SECRET,
    "FULFILLMENT_WEBHOOK_URL and FULFILLMENT_WEBHOOK_SECRET",
  );
  return {
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    port: raw.PORT,
    /** Unset means `http://localhost:<the port actually listened on>`, known only after listen. */
    publicUrl: raw.PUBLIC_URL?.replace(/\/+$/, ""),
    mongodbUri: raw.MONGODB_URI,
    /** The embedded store's directory (unused with MONGODB_URI); `:memory:` keeps nothing on disk. */
    dataDir: raw.DATA_DIR ?? DEFAULT_DATA_DIR,
    catalogFile: raw.CATALOG_FILE,
    slack: slack
      ? {
          signingSecret: raw.SLACK_SIGNING_SECRET,
          botToken: raw.SLACK_BOT_TOKEN!,
          apiUrl: raw.SLACK_API_URL,
          appToken: raw.SLACK_APP_TOKEN,
        }
      : undefined,
    /** Needed without the adapter too: the manifest and the pages name Slack's commands. */
    slackCommandPrefix: raw.SLACK_COMMAND_PREFIX ?? "",
    telegram: raw.TELEGRAM_BOT_TOKEN
      ? {
          botToken: raw.TELEGRAM_BOT_TOKEN,
          webhookSecret: raw.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: raw.TELEGRAM_API_ROOT,
        }
      : undefined,
    discord: discord
      ? {
          applicationId: raw.DISCORD_APPLICATION_ID!,
          botToken: raw.DISCORD_BOT_TOKEN!,
          publicKey: raw.DISCORD_PUBLIC_KEY,
          gateway: raw.DISCORD_GATEWAY ?? true,
          apiUrl: raw.DISCORD_API_URL,
          ...(shards ? { shards } : {}),
        }
      : undefined,
    fulfillment: raw.FULFILLMENT_WEBHOOK_URL
      ? { url: raw.FULFILLMENT_WEBHOOK_URL, secret: raw.FULFILLMENT_WEBHOOK_SECRET! }
      : undefined,
    session: {
      ttlMs: raw.SESSION_TTL,
      maxBadAttempts: raw.SESSION_MAX_BAD_ATTEMPTS,
      badAttemptDelayMs: raw.SESSION_BAD_ATTEMPT_DELAY_MS,
      /** Unset: the key lives in the database, so a dump of it could reveal cart codes. */
      codeSecret: raw.SESSION_CODE_SECRET,
    },
    groupTtlMs: raw.GROUP_TTL,
    outboxRetentionMs: raw.OUTBOX_RETENTION,
    /** Explicitly requested in production: worth a warning in the log. */
    playground: raw.PLAYGROUND ?? !production,
    playgroundForcedInProduction: production && raw.PLAYGROUND === true,
  };
}

/**
 * Which gateway shards this process runs: unset = one connection for everything; `auto` = as
 * many as Discord recommends, all here; a count = that many, all here or the DISCORD_SHARD_IDS.
 */
export type DiscordShards = { count: "auto" } | { count: number; ids: number[] };

function discordShards(
  count: "auto" | number | undefined,
  ids: number[] | undefined,
): DiscordShards | undefined {
  if (ids && typeof count !== "number") {
    throw new ConfigError(
      "DISCORD_SHARDS",
      "the total number of shards (a whole number) when DISCORD_SHARD_IDS is set",
    );
  }
  if (count === undefined) return undefined;
  if (count === "auto") return { count };
  const outside = ids?.find((id) => id >= count);
  if (outside !== undefined) {
    throw new ConfigError(
      "DISCORD_SHARD_IDS",
      `shard ids from 0 to ${count - 1} (DISCORD_SHARDS is ${count}), not ${outside}`,
    );
  }
  return { count, ids: ids ?? Array.from({ length: count }, (_, id) => id) };
}
