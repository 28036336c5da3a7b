import { describe, expect, it } from "@jest/globals";
import {
  formatSerial,
  hashToken,
  issueSessionCode,
  parseSessionCode,
  SESSION_CODE_PATTERN,
  sequenceOfSerial,
  tokenHashesEqual,
} from "../../../src/engine/cart/session-code";

describe("session codes", () => {
  it("builds the serial from the UTC issue time and a six-digit zero-padded sequence", () => {
    expect(formatSerial(new Date("2026-03-04T05:06:07Z"), 42)).toBe("20260304050607000042");
    expect(formatSerial(new Date("2026-03-04T05:06:07Z"), 1_234_567)).toBe("202603040506071234567");
    expect(sequenceOfSerial("202603040506071234567")).toBe(1_234_567);
  });

  it("issues a code that matches the contract regex and fits a Telegram deep-link payload", () => {
    const issued = issueSessionCode(new Date("2026-03-04T05:06:07Z"), 7);
    expect(issued.code).toMatch(SESSION_CODE_PATTERN);
    expect(issued.code).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(issued.token.length).toBeGreaterThanOrEqual(22);
    expect(issued.code).toBe(`${issued.serial}-${issued.token}`);
  });

  it("draws tokens from the CSPRNG: independent of the serial and never repeated", () => {
    const at = new Date("2026-03-04T05:06:07Z");
    const tokens = new Set<string>();
    for (let i = 0; i < 500; i++) tokens.add(issueSessionCode(at, 1).token);
    expect(tokens.size).toBe(500);
  });

  it("keeps only a hash of the token, which is not the token", () => {
    const issued = issueSessionCode(new Date(), 1);
    expect(issued.tokenHash).toBe(hashToken(issued.token));
    expect(issued.tokenHash).not.toContain(issued.token);
    expect(issued.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("parses well-formed codes and rejects malformed or oversized ones", () => {
    const issued = issueSessionCode(new Date(), 3);
    expect(parseSessionCode(`  ${issued.code} `)).toEqual({ serial: issued.serial, token: issued.token });
    for (const bad of [
      "",
      "hello",
      "2026030405060700004-AAAAAAAAAAAAAAAAAAAAAAAA",
      "20260304050607000042-short",
      "20260304050607000042_AAAAAAAAAAAAAAAAAAAAAAAA",
      "20260304050607000042-AAAAAAAAAAAAAAAAAAAAA$AA",
      `20260304050607000042-${"A".repeat(60)}`,
    ]) {
      expect(parseSessionCode(bad)).toBeUndefined();
    }
  });

  it("compares token hashes for equality", () => {
    expect(tokenHashesEqual(hashToken("a"), hashToken("a"))).toBe(true);
    expect(tokenHashesEqual(hashToken("a"), hashToken("b"))).toBe(false);
    expect(tokenHashesEqual(hashToken("a"), "")).toBe(false);
  });
});
