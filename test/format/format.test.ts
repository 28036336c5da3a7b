import { describe, expect, it } from "@jest/globals";
import {
  formatDurationAsTyped,
  formatDurationSpelledOut,
  formatMoney,
  formatTimeLeft,
  formatUtcDigits,
  formatUtcInWords,
  parseDuration,
} from "../../src/format";

describe("formatting amounts and deadlines (remembered between replies)", () => {
  it("writes each amount in its own currency, the same text every time", () => {
    expect(formatMoney(12900, "EUR")).toBe("€129.00");
    expect(formatMoney(12900, "USD")).toBe("$129.00");
    expect(formatMoney(12900, "EUR")).toBe("€129.00");
    expect(formatMoney(500, "JPY")).toBe("¥500");
    expect(formatMoney(12901, "EUR")).toBe("€129.01");
    // Not a currency code Intl knows the shape of: plain digits and the code.
    expect(formatMoney(1234, "EURO")).toBe("12.34 EURO");
  });

  it("writes a deadline to the minute, moving on when the minute does", () => {
    expect(formatUtcDigits(new Date("2026-01-03T12:00:59Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtcDigits(new Date("2026-01-03T12:00:01Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtcDigits(new Date("2026-01-03T12:01:00Z"))).toBe("2026-01-03 12:01 UTC");
    expect(formatUtcDigits(new Date("2026-01-03T12:00:30Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtcDigits(new Date("2027-01-03T12:00:30Z"))).toBe("2027-01-03 12:00 UTC");
  });

  it("writes a page's moment with its weekday and month in words", () => {
    expect(formatUtcInWords(new Date("2026-11-22T14:00:59Z"))).toBe("Sun, 22 Nov 2026, 14:00 UTC");
  });
});

describe("durations: as a command takes them, spelled out, and as time left", () => {
  it("writes a duration the way parseDuration reads it back", () => {
    for (const typed of ["90s", "90m", "36h", "7d", "1m"]) {
      expect(formatDurationAsTyped(parseDuration(typed) ?? 0)).toBe(typed);
    }
    expect(formatDurationAsTyped(1500)).toBe("2s");
  });

  it("spells a duration out, dropping seconds from an hour on", () => {
    expect(formatDurationSpelledOut(90 * 60_000)).toBe("1h 30m");
    expect(formatDurationSpelledOut(30 * 60_000)).toBe("30m");
    expect(formatDurationSpelledOut(45_000)).toBe("45s");
    expect(formatDurationSpelledOut(3_601_000)).toBe("1h");
    expect(formatDurationSpelledOut(1)).toBe("1s");
  });

  it("writes time left in two units at most", () => {
    expect(formatTimeLeft(0)).toBe("time is up");
    expect(formatTimeLeft((2 * 86_400 + 3 * 3600 + 5) * 1000)).toBe("2 d 3 h left");
    expect(formatTimeLeft((5 * 3600 + 12 * 60) * 1000)).toBe("5 h 12 min left");
    expect(formatTimeLeft((4 * 60 + 9) * 1000)).toBe("4 min 09 s left");
  });
});
