import { formatDurationSpelledOut, formatUtcDigits } from "../format";

/**
 * Every mistake a user can make, in one place: a stable code for logs and tests, and the one line
 * the user reads (what was wrong and what to type instead), written from the values the throw site
 * names. Adapters render the line as they get it.
 */
const USER_ERRORS = {
  // Typing a command (src/chat).
  UNKNOWN_COMMAND: (v: { command: string }) =>
    `Unknown command /${v.command}: type /help to see the commands.`,
  UNKNOWN_HELP_TOPIC: (v: { command: string; commands: string }) =>
    `There is no /${v.command}: try /help with one of ${v.commands}.`,
  UNKNOWN_SUBCOMMAND: (v: { command: string; word: string; actions: string; usage: string }) =>
    `${v.word ? `Unknown /${v.command} action "${v.word}"` : `/${v.command} needs an action`}: use one of ${v.actions}. Usage: ${v.usage}`,
  UNKNOWN_OPTION: (v: { key: string; known: readonly string[]; usage: string }) =>
    `Unknown option ${v.key}= (${v.known.length ? `known options: ${v.known.join(", ")}` : "this command takes no options"}). Usage: ${v.usage}`,
  DUPLICATE_OPTION: (v: { name: string; usage: string }) =>
    `${v.name}= is given twice; keep one. Usage: ${v.usage}`,
  UNEXPECTED_ARGUMENT: (v: { word: string; usage: string }) =>
    `Did not expect "${v.word}" here. Usage: ${v.usage}`,
  MISSING_ARGUMENT: (v: { placeholder: string; usage: string }) =>
    `Missing <${v.placeholder}>. Usage: ${v.usage}`,
  INVALID_ARGUMENT: (v: { name: string; expected: string; given: string; usage: string }) =>
    `${v.name} must be ${v.expected}, not "${v.given}". Usage: ${v.usage}`,
  UNCLOSED_QUOTE: (v: { close: string; usage?: string }) =>
    `A quote is not closed: add the closing ${v.close} or remove the opening one.${v.usage ? ` Usage: ${v.usage}` : ""}`,
  NOT_A_MENTION: (v: { word: string; usage: string }) =>
    `"${v.word}" is not a mention of a member. Usage: ${v.usage}`,
  TOO_MANY_MENTIONS: (v: { max: number; usage: string }) =>
    `At most ${v.max} members can be mentioned at once. Usage: ${v.usage}`,
  UNKNOWN_MEMBER: (v: { mention: string; usage: string }) =>
    `I don't know ${v.mention} yet: ask them to send any message to the bot first, then try again. Usage: ${v.usage}`,

  // Products and quantities.
  UNKNOWN_PRODUCT: (v: { sku: string }) =>
    `There is no product "${v.sku}"; type /catalog to see what is for sale`,
  PRODUCT_WITHDRAWN: (v: { sku: string }) =>
    `${v.sku} is no longer for sale (the shop withdrew it); type /catalog to see what is`,
  MISSING_SKU: () => "name a product; type /cart add <sku> (see /catalog)",
  UNKNOWN_SKU: (v: { sku: string }) => `"${v.sku}" is not a product SKU; see /catalog for the SKUs`,
  TEXT_TOO_LONG: (v: { what: string; max: number; instead: string }) =>
    `a ${v.what} is at most ${v.max} characters; ${v.instead}`,
  INVALID_QTY: (v: { max: number }) => `qty must be a whole number from 1 to ${v.max}; type e.g. qty=2`,

  // Groups.
  INVALID_SIZE: (v: { max: number }) => `size must be a whole number from 2 to ${v.max}; e.g. size=3`,
  INVALID_MAX: (v: { size: number; max: number }) =>
    `max must be a whole number from size (${v.size}) to ${v.max}; e.g. max=${v.size + 2}`,
  INVALID_EXPIRY: () => "expires must be from 1m to 30d; e.g. expires=48h",
  HOLD_TOO_LONG: () =>
    "With card payments a group may be open at most 6d (a card hold lasts about seven days); e.g. expires=48h",
  TOO_MANY_MEMBERS: (v: { max: number }) =>
    `tag at most ${v.max} members; share the group link with the others`,
  UNKNOWN_GROUP: (v: { code: string }) =>
    `There is no group "${v.code}"; check the 13-character code in your invitation, e.g. /join 7KQ3M9XW2HBPD`,
  GROUP_EXPIRED: (v: { code: string; at: Date }) =>
    `Group ${v.code} expired at ${formatUtcDigits(v.at)}; ask the organiser to open a new one`,
  GROUP_COMPLETE: (v: { code: string; members: number; max: number }) =>
    `Group ${v.code} is complete (${v.members} of ${v.max} places taken); ask the organiser to open a new one`,
  GROUP_FAILED: (v: { code: string; at: Date }) =>
    `Group ${v.code} closed at ${formatUtcDigits(v.at)} without enough members; ask the organiser to open a new one`,
  ALREADY_JOINED: (v: { code: string }) =>
    `You already joined group ${v.code}; type /group ${v.code} to see its status`,
  NOT_A_MEMBER: (v: { code: string }) =>
    `You are not a member of group ${v.code}, so there is nothing to leave; type /group ${v.code} to see who is`,
  GROUP_NOT_OPEN: (v: { code: string; state: string }) =>
    `Group ${v.code} is ${v.state}, so it can no longer change; type /group ${v.code} to see its outcome`,
  NOT_GROUP_ADMIN: (v: { code: string; action: string }) =>
    `Only the organiser of group ${v.code} or an admin of the place it was opened in may ${v.action} it; ask them`,
  ADMIN_CHECK_FAILED: () =>
    "Could not ask the chat platform whether you are an admin here; nothing was changed, try again in a minute",
  MEMBERS_MISSING: (v: { code: string; missing: number; size: number }) =>
    `Group ${v.code} needs ${v.missing} more member${v.missing === 1 ? "" : "s"} (of ${v.size}) before it can close; wait, or /group ${v.code} cancel`,
  EXTEND_TOO_FAR: (v: { code: string; latest: Date }) =>
    `A group lives at most 30 days: group ${v.code} can be extended to ${formatUtcDigits(v.latest)} at the latest; pick a shorter duration`,
  GROUP_CHANGED: (v: { code: string; action: string }) =>
    `Group ${v.code} changed just now; type /group ${v.code} to see it, then ${v.action} again if still needed`,
  ACTION_OPTION_MISMATCH: (v: { option: string; action: string; usage: string }) =>
    `${v.option} goes with the ${v.action} action only. Usage: ${v.usage}`,
  TOO_MANY_UNKNOWN_CODES: (v: { waitMs: number }) =>
    `Too many codes that matched nothing; try again in ${formatDurationSpelledOut(v.waitMs)}.`,

  // Carts.
  EMPTY_CART: () => "your cart is empty; add something first with /cart add <sku>",
  CART_ENDED: () => "that cart just ended (checked out or expired); type /cart to start a new one",
  CART_AWAITING_PAYMENT: (v: { url: string | null; until: Date }) =>
    `your cart is checked out and waiting for payment: ${v.url ? `pay at ${v.url}` : "pay with the link sent to you by DM"}, or wait until ${formatUtcDigits(v.until)}, when it opens again unpaid`,
  CART_PAYMENTS_OFF: () =>
    "your cart was checked out for payment while this shop took payments here, and it no longer does: ask the shop to settle it",
  CART_MIXED_CURRENCIES: (v: { currencies: string; remove: string }) =>
    `a cart is paid in one currency, and this one has ${v.currencies} lines: pay for them separately. Remove ${v.remove} with /cart remove <sku>, check out, then add them to your next cart`,
  LINE_LIMIT: (v: { wouldBe: number; sku: string; max: number; room: number }) =>
    `that would make ${v.wouldBe} × ${v.sku}; one line holds at most ${v.max}, so add at most ${v.room}`,
  CART_FULL: (v: { max: number }) =>
    `a cart holds at most ${v.max} different products; check out or /cart remove <sku> first`,
  CART_LIMIT: (v: { max: number }) =>
    `a cart holds at most ${v.max} items in all; check out or /cart remove <sku> first`,
  NOT_IN_CART: (v: { sku: string }) => `${v.sku} is not in your cart; type /cart to see what is`,
  MISSING_SESSION_CODE: () => "give the cart's session code; type /cart resume <sessionCode>",
  BAD_SESSION_CODE: () =>
    "that is not a session code (digits, a dash, then letters, e.g. 20260101120000000001-Ab3…); copy it from the cart reply",
  CART_NOT_FOUND: () => "No cart has that session code; check it, or type /cart to start a new cart.",
  CART_CLOSED: () => "That cart was checked out and is closed; type /cart to start a new cart.",
  CART_EXPIRED: (v: { idleMs: number }) =>
    `That cart expired after ${formatDurationSpelledOut(v.idleMs)} without activity; type /cart to start a new cart.`,
  CART_IMPROPER: () =>
    "Warning: that session code does not match its cart. This attempt was recorded; repeated attempts retire the code and alert the cart's owner.",
  CART_RATE_LIMITED: (v: { waitMs: number }) =>
    `Too many session codes that matched no cart; try again in ${formatDurationSpelledOut(v.waitMs)}.`,

  // Contact details.
  INVALID_REGION: (v: { region: string }) =>
    `"${v.region}" is not a region code; type /register region=EU (2 to 8 letters)`,
  INVALID_EMAIL: (v: { email: string }) =>
    `"${v.email}" is not an email address; type /register email=you@example.com`,
  NOTHING_TO_REGISTER: () =>
    "Nothing to store: type /register region=EU email=you@example.com (either or both).",
} as const;

export type UserErrorCode = keyof typeof USER_ERRORS;

/** The values a code's line is written from (none for a fixed line). */
type ValuesOf<C extends UserErrorCode> = Parameters<(typeof USER_ERRORS)[C]>;

/** The line the user reads for `code` with `values`. */
export function userErrorText<C extends UserErrorCode>(code: C, ...values: ValuesOf<C>): string {
  return (USER_ERRORS[code] as (...args: ValuesOf<C>) => string)(...values);
}

/**
 * A mistake the user can fix. Build one with `userError(code, values)`; the message is always a
 * line of the catalogue above. Adapters render it; it is never logged with a stack.
 */
export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** The user error `code`, worded from `values`. */
export function userError<C extends UserErrorCode>(code: C, ...values: ValuesOf<C>): UserError {
  return new UserError(code, userErrorText(code, ...values));
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** What the user reads when the database did not answer, or when our own code failed. */
export const SYSTEM_ERROR_TEXT = {
  TEMPORARILY_UNAVAILABLE: "crowdcart is temporarily unavailable; please try again in a minute.",
  INTERNAL_ERROR: "Something went wrong on our side; nothing was changed. Please try again.",
} as const;

/** The database did not answer: the user is told to try again later; nothing was written. */
export class UnavailableError extends Error {
  readonly code = "TEMPORARILY_UNAVAILABLE";
  constructor(cause?: unknown) {
    super(SYSTEM_ERROR_TEXT.TEMPORARILY_UNAVAILABLE, { cause });
    this.name = "UnavailableError";
  }
}
