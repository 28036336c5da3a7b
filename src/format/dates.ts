/** The last minute written out: deadlines a reply shows fall in the same minute over and over. */
let lastMinute = { minute: Number.NaN, text: "" };

/** A moment in digits, as every chat platform can show it: "2026-01-03 12:00 UTC". */
export function formatUtcDigits(date: Date): string {
  const minute = Math.floor(date.getTime() / 60_000);
  if (minute !== lastMinute.minute) {
    lastMinute = { minute, text: `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` };
  }
  return lastMinute.text;
}

const utcDay = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const utcTime = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

/**
 * A moment with its weekday and month in words, for pages: "Sun, 22 Nov 2026, 14:00 UTC",
 * unambiguous for every reader; the page's script adds the local time.
 */
export function formatUtcInWords(date: Date): string {
  return `${utcDay.format(date)}, ${utcTime.format(date)} UTC`;
}
