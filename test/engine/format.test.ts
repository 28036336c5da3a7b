import { describe, expect, it } from "@jest/globals";
import { formatMoney, formatUtc } from "../../src/engine/format";

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
    expect(formatUtc(new Date("2026-01-03T12:00:59Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtc(new Date("2026-01-03T12:00:01Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtc(new Date("2026-01-03T12:01:00Z"))).toBe("2026-01-03 12:01 UTC");
    expect(formatUtc(new Date("2026-01-03T12:00:30Z"))).toBe("2026-01-03 12:00 UTC");
    expect(formatUtc(new Date("2027-01-03T12:00:30Z"))).toBe("2027-01-03 12:00 UTC");
  });
});
