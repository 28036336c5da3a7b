import { describe, expect, it } from "@jest/globals";
import { verifySlackSignature } from "../../../adapters/slack/verify";
import { slackHeaders } from "../../support/slack-sign";

const secret = "a-signing-secret-of-some-length";
const body = "command=%2Fcatalog&text=";
const now = 1_700_000_000_000;

function verify(headers: Record<string, string>, raw = body, nowMs = now) {
  return verifySlackSignature({
    signingSecret: secret,
    rawBody: Buffer.from(raw),
    timestamp: headers["x-slack-request-timestamp"],
    signature: headers["x-slack-signature"],
    nowMs,
  });
}

describe("Slack v0 signature", () => {
  const signed = slackHeaders(body, secret, now / 1000);
  it("accepts Slack's HMAC over the raw body", () => {
    expect(verify(signed)).toEqual({ ok: true });
  });
  it("refuses missing headers", () => {
    expect(verify({})).toEqual({ ok: false, reason: "unsigned" });
  });
  it("refuses a timestamp more than five minutes away, either way", () => {
    expect(verify(signed, body, now + 301_000)).toEqual({ ok: false, reason: "stale" });
    expect(verify(signed, body, now - 301_000)).toEqual({ ok: false, reason: "stale" });
    expect(verify(signed, body, now + 299_000)).toEqual({ ok: true });
  });
  it("refuses a different body, secret or malformed signature", () => {
    expect(verify(signed, `${body}x`)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verify(slackHeaders(body, "other-secret-xxxxxxxx", now / 1000))).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verify({ ...signed, "x-slack-signature": "v0=zz" })).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });
});
