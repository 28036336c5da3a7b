/**
 * A Medusa v2 amount (major units as a JSON number: 12.99 EUR, 1500 JPY) in the catalog's minor
 * units (1299, 1500), converted through its decimal text so no float rounding creeps in.
 * Undefined when the amount is not a price in that currency: negative, not a number, or with more
 * decimals than the currency has (12.345 EUR).
 */
export function toMinorUnits(amount: unknown, currency: string): number | undefined {
  const digits = fractionDigits(currency);
  if (digits === undefined || typeof amount !== "number" || !Number.isFinite(amount) || amount < 0)
    return undefined;
  // Past 2^53 minor units whole numbers stop being exact.
  if (amount * 10 ** digits > Number.MAX_SAFE_INTEGER) return undefined;
  const text = amount.toFixed(digits);
  if (Number(text) !== amount) return undefined;
  return Number(text.replace(".", ""));
}

/** How many decimals an ISO 4217 currency has (EUR 2, JPY 0, BHD 3); undefined for an unknown code. */
function fractionDigits(currency: string): number | undefined {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits;
  } catch {
    return undefined;
  }
}
