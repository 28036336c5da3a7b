import { randomUUID } from "node:crypto";
import { subscribe } from "node:diagnostics_channel";

/**
 * The Retry-After of Medusa's 429s. The SDK turns an error answer into a FetchError holding only
 * the status and message, so the header is read where Node's fetch reports every response's
 * headers (its `undici:request:headers` diagnostics channel), matched to the call by a header
 * carrying the call's own id.
 */
const CALL_HEADER = "x-crowdcart-call";

const waits = new Map<string, number>();
let listening = false;

interface Reported {
  request: { headers: string[] | string };
  response: { statusCode: number; headers: Array<Buffer | string> };
}

function listen(): void {
  if (listening) return;
  listening = true;
  subscribe("undici:request:headers", (message) => {
    const { request, response } = message as Reported;
    if (response.statusCode !== 429) return;
    const call = headerOf(request.headers, CALL_HEADER);
    const wait = call ? waitOf(headerOf(response.headers, "retry-after")) : undefined;
    if (call && wait !== undefined) waits.set(call, wait);
  });
}

/** The wait a failed request's 429 asked for, by the error its call threw. */
const asked = new WeakMap<object, number>();

export function retryAfterOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? asked.get(error) : undefined;
}

/** Runs one request with a header naming it (`send` adds `headers`), noting the wait its 429 asks for. */
export async function notingRetryAfter<T>(send: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  listen();
  const call = randomUUID();
  try {
    return await send({ [CALL_HEADER]: call });
  } catch (error) {
    const wait = waits.get(call);
    if (wait !== undefined && typeof error === "object" && error !== null) asked.set(error, wait);
    throw error;
  } finally {
    waits.delete(call);
  }
}

/** A header's value from undici's flat `[name, value, …]` list (or its raw text form). */
function headerOf(headers: Array<Buffer | string> | string, name: string): string | undefined {
  if (typeof headers === "string") {
    return new RegExp(`^${name}:\\s*(.*?)\\s*$`, "im").exec(headers)?.[1];
  }
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
  }
  return undefined;
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from now. */
function waitOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
