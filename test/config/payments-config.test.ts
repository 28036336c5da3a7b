import { describe, expect, it } from "@jest/globals";
import { ConfigError, loadConfig } from "../../src/config";

const load = (env: Record<string, string>) => loadConfig(env, "/nonexistent/.env");
const STRIPE = {
  PAYMENTS: "stripe",
  STRIPE_SECRET_KEY: "sk_test_abc123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc123",
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

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
