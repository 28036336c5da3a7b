import { describe, expect, it } from "@jest/globals";
import { loadDiscordPublicKey, verifyDiscordSignature } from "../../../adapters/discord/verify";
import { createDiscordSigner } from "../../support/discord-sign";

const signer = createDiscordSigner();
const key = loadDiscordPublicKey(signer.publicKeyHex);
const body = '{"type":1}';

function check(headers: Record<string, string>, raw = body, now?: number) {
  return verifyDiscordSignature(
    key,
    headers["x-signature-ed25519"],
    headers["x-signature-timestamp"],
    Buffer.from(raw),
    now,
  );
}

describe("Discord Ed25519 verification", () => {
  it("accepts Discord's signature over timestamp + raw body", () => {
    expect(check(signer.headers(body))).toBe(true);
  });

  it("rejects another key, a changed body, a changed timestamp and malformed headers", () => {
    expect(check(createDiscordSigner().headers(body))).toBe(false);
    expect(check(signer.headers(body), '{"type":2}')).toBe(false);
    const headers = signer.headers(body);
    expect(
      check({ ...headers, "x-signature-timestamp": String(Number(headers["x-signature-timestamp"]) + 1) }),
    ).toBe(false);
    expect(check({ ...headers, "x-signature-ed25519": "zz" })).toBe(false);
    expect(check({})).toBe(false);
  });

  it("rejects a signature whose timestamp is more than five minutes off", () => {
    const old = signer.headers(body, "1700000000");
    expect(check(old, body, 1700000000 + 301)).toBe(false);
    expect(check(old, body, 1700000000 + 10)).toBe(true);
  });
});
