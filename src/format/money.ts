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

/**
 * Amounts already written out: a shop has few prices, so replies and pages repeat the same few
 * amounts, and Intl's formatting costs more than the rest of a cart reply. Emptied when it grows.
 */
const formattedMoney = new Map<string, string>();
const FORMATTED_MONEY = 10_000;

/**
 * Money in minor units (EUR cents, JPY yen), as a person reads it: 12900 EUR → "€129.00". A code
 * Intl cannot use as a currency still shows its amount, with the code as a label.
 */
export function formatMoney(minor: number, currency: string): string {
  const key = `${minor} ${currency}`;
  let text = formattedMoney.get(key);
  if (text === undefined) {
    const formatter = formatterFor(currency);
    text = formatter
      ? formatter.format.format(minor / 10 ** formatter.digits)
      : `${(minor / 100).toFixed(2)} ${currency}`;
    if (formattedMoney.size >= FORMATTED_MONEY) formattedMoney.clear();
    formattedMoney.set(key, text);
  }
  return text;
}

/** Money in minor units as a plain decimal, for a spreadsheet to sum: 12900 EUR → "129.00", 500 JPY → "500". */
export function formatAmount(minor: number, currency: string): string {
  const digits = formatterFor(currency)?.digits ?? 2;
  return (minor / 10 ** digits).toFixed(digits);
}
