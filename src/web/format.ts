/** Money and time as the pages show them. Formatters are cached: building one costs more than using it. */

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en", { style: "currency", currency });
    } catch {
      // An unknown currency code still shows its amount, with the code as a label.
      format = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/** Digits after the decimal point of a currency: prices are stored in minor units (EUR cents, JPY yen). */
export function minorDigits(currency: string): number {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `12900, "EUR"` → `€129.00`. */
export function formatMoney(minor: number, currency: string): string {
  const format = moneyFormat(currency);
  const text = format.format(minor / 10 ** minorDigits(currency));
  return format.resolvedOptions().style === "currency" ? text : `${text} ${currency}`;
}

/** A price after `percentOff`, rounded to the nearest minor unit. */
export function discounted(minor: number, percentOff: number): number {
  return Math.round((minor * (100 - percentOff)) / 100);
}

/** Time left as people say it: `2 d 3 h`, `5 h 12 min`, `4 min 09 s`; the same rule runs in the page's script. */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return "time is up";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h left`;
  if (h > 0) return `${h} h ${m} min left`;
  return `${m} min ${String(sec).padStart(2, "0")} s left`;
}

const utcDay = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const utcTime = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/** `Sun 22 Nov 2026, 14:00 UTC`: unambiguous for every reader; the script adds the local time. */
export function formatUtc(date: Date): string {
  return `${utcDay.format(date)}, ${utcTime.format(date)} UTC`;
}
