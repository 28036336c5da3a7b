/** Building an Intl formatter costs far more than using one: one per currency, kept. */
const formatters = new Map<string, { format: Intl.NumberFormat; digits: number } | null>();

function formatterFor(currency: string) {
  if (!formatters.has(currency)) {
    try {
      const format = new Intl.NumberFormat("en", { style: "currency", currency });
      formatters.set(currency, { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 });
    } catch {
      formatters.set(currency, null);
    }
  }
  return formatters.get(currency);
}

/** Money in minor units, as a person reads it: 12900 EUR → "€129.00". */
export function formatMoney(minor: number, currency: string): string {
  const formatter = formatterFor(currency);
  if (!formatter) return `${(minor / 100).toFixed(2)} ${currency}`;
  return formatter.format.format(minor / 10 ** formatter.digits);
}

/** A deadline as every platform can show it: "2026-01-03 12:00 UTC". */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
