import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { groupCodeOfPayload, groupDeepLink } from "../../../adapters/telegram/deep-link";
import { verifyTelegramSecret } from "../../../adapters/telegram/verify";
import { newGroupCode } from "../../../src/engine/groups/code";

describe("Telegram deep links", () => {
  it("carry any group code in a start payload Telegram accepts, and read it back", () => {
    fc.assert(
      fc.property(fc.integer(), () => {
        const code = newGroupCode();
        const link = groupDeepLink("crowdcart_bot", code)!;
        const payload = new URL(link).searchParams.get("start")!;
        expect(link.startsWith("https://t.me/crowdcart_bot?start=")).toBe(true);
        expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(groupCodeOfPayload(payload)).toBe(code);
      }),
      { numRuns: 50 },
    );
  });

  it("ignore payloads that are not ours", () => {
    expect(groupCodeOfPayload(undefined)).toBeUndefined();
    expect(groupCodeOfPayload("help")).toBeUndefined();
    expect(groupCodeOfPayload("g-")).toBeUndefined();
    expect(groupCodeOfPayload("g-<script>")).toBeUndefined();
  });
});

describe("Telegram webhook secret", () => {
  it("matches only the exact secret", () => {
    expect(verifyTelegramSecret("abc-123_XYZ", "abc-123_XYZ")).toBe(true);
    expect(verifyTelegramSecret("abc-123_XYZ", "abc-123_XY")).toBe(false);
    expect(verifyTelegramSecret("abc-123_XYZ", "")).toBe(false);
    expect(verifyTelegramSecret("abc-123_XYZ", undefined)).toBe(false);
  });
});
