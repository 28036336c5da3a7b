/**
 * Reads until `ok` holds and returns what was read: for work a running service does on its own
 * (its workers, its webhooks). The bound is generous and tied to the work (a few round trips), so a
 * busy machine slows the test without failing it.
 */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  limitMs = 20_000,
): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
