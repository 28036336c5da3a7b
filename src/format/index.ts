/** Money, moments and durations as chat replies and pages write them: one set, shared by both. */
export { formatUtcDigits, formatUtcInWords } from "./dates";
export { formatDurationAsTyped, formatDurationSpelledOut, formatTimeLeft, parseDuration } from "./durations";
export { formatAmount, formatMoney } from "./money";
