import { existsSync } from "node:fs";
import dotenv from "dotenv";
import { z } from "zod";
import { PLATFORMS } from "../../adapters";
import { IN_MEMORY } from "../../embedded-mongo";
import type { Platform } from "../kernel";
import type { PlatformSettings, PlatformsSettings } from "../platform";
import { configureStorefront, STOREFRONT_IDS, type StorefrontConfig } from "../storefront";
import { bothOrNeither, ConfigError, duration, httpUrl, readVariables, secret } from "./variables";

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
  PAYMENTS: { schema: z.enum(["none", "stripe", "demo"]).default("none"), expected: "none, stripe or demo" },
  STRIPE_SECRET_KEY: {
    schema: z
      .string()
      .regex(/^(sk|rk)_\w+$/)
      .optional(),
    expected: "a Stripe secret key (sk_live_…, sk_test_… or a restricted rk_… key)",
  },
  STRIPE_WEBHOOK_SECRET: {
    schema: z
      .string()
      .regex(/^whsec_\w+$/)
      .optional(),
    expected: "the webhook endpoint's signing secret (whsec_…)",
  },
  STRIPE_API_URL: { schema: httpUrl().optional(), expected: "an http(s) URL such as http://127.0.0.1:12111" },
  PAYMENT_WINDOW: {
    schema: duration("30m").refine((ms) => ms >= 60_000 && ms <= 24 * 3_600_000),
    expected: "a duration from 1m to 24h, like 30m",
  },
  WAITLIST_CONFIRM: {
    schema: duration("30m").refine((ms) => ms >= 60_000 && ms <= 24 * 3_600_000),
    expected: "a duration from 1m to 24h, like 30m",
  },
  STOREFRONT: {
    schema: z.enum(STOREFRONT_IDS).default("file"),
    expected: `one of ${STOREFRONT_IDS.join(", ")} (where the catalog comes from and orders go)`,
  },
  CATALOG_REFRESH: {
    // A shorter interval would read the whole catalog over and over: webhooks say when it changed.
    schema: duration("5m").refine((ms) => ms >= 10_000),
    expected: "a duration of at least 10s, like 90s, 5m or 1h",
  },
} as const;

type Spec = typeof spec;
type Raw = { [K in keyof Spec]: z.output<Spec[K]["schema"]> };

export type Config = ReturnType<typeof shape> & {
  /** Each platform's settings by its id (`adapters/<platform>/platform.ts` reads them). */
  platforms: PlatformsSettings;
  /** Where the catalog comes from and orders go (STOREFRONT), with that storefront's settings. */
  storefront: StorefrontConfig;
};

export { ConfigError } from "./variables";

/** Reads `.env` (when present; real environment wins) and validates every variable once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dotenvPath = ".env"): Config {
  const merged: NodeJS.ProcessEnv = { ...readDotenv(dotenvPath), ...env };
  const raw = readVariables(spec, merged) as Raw;
  const core = shape(raw);
  // Each platform reads its own variables: adding a platform never touches this file.
  const production = core.nodeEnv === "production";
  const platforms: Record<Platform, PlatformSettings> = {};
  for (const platform of PLATFORMS) {
    platforms[platform.id] = platform.configure(readVariables(platform.variables, merged), { production });
  }
  // Only the chosen storefront's variables are read, so only they are required.
  const storefront = configureStorefront(raw.STOREFRONT, merged, {
    refreshEveryMs: raw.CATALOG_REFRESH,
    file: {
      ...(core.catalogFile ? { catalogFile: core.catalogFile } : {}),
      ...(core.fulfillment ? { fulfillment: core.fulfillment } : {}),
    },
  });
  return { ...core, platforms, storefront };
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
  bothOrNeither(
    raw.FULFILLMENT_WEBHOOK_URL,
    raw.FULFILLMENT_WEBHOOK_SECRET,
    "FULFILLMENT_WEBHOOK_URL and FULFILLMENT_WEBHOOK_SECRET",
  );
  if (raw.PAYMENTS !== "none" && raw.GROUP_TTL > 6 * 86_400_000) {
    throw new ConfigError("GROUP_TTL", "at most 6d with PAYMENTS on (a card hold lasts about seven days)");
  }
  if (raw.PAYMENTS === "stripe") {
    for (const name of ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const) {
      if (!raw[name])
        throw new ConfigError(name, "set: PAYMENTS=stripe needs the secret key and the webhook secret");
    }
  }
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
    /** How long the first on a full group's waitlist has to take a freed place. */
    waitlistConfirmMs: raw.WAITLIST_CONFIRM,
    outboxRetentionMs: raw.OUTBOX_RETENTION,
    payments: {
      provider: raw.PAYMENTS,
      windowMs: raw.PAYMENT_WINDOW,
      stripe:
        raw.PAYMENTS === "stripe"
          ? {
              secretKey: raw.STRIPE_SECRET_KEY!,
              webhookSecret: raw.STRIPE_WEBHOOK_SECRET!,
              apiUrl: raw.STRIPE_API_URL,
            }
          : undefined,
    },
  };
}
