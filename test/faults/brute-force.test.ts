import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadConfig } from "../../src/config";
import { badAttemptDelayMs } from "../../src/engine/cart/limits";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";
import { codeIn, playgroundSay } from "../support/playground-client";

// The attacker's first reply is held this long: a bystander's /cart add (milliseconds of work)
// must come back inside it, with room for a machine busy with other jobs.
const BASE_DELAY_MS = 3000;
const GUESSES = 10_000;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * One sender guesses 10,000 session and group codes. Nothing opens; half-matches are delayed,
 * counted and retire the code; sweeping gets the sender locked out; other users are not slowed.
 */
describe("brute force from one sender", () => {
  let service: Service;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig(
      { PORT: "0", SESSION_BAD_ATTEMPT_DELAY_MS: String(BASE_DELAY_MS), SESSION_MAX_BAD_ATTEMPTS: "3" },
      "/nonexistent/.env",
    );
    service = await startService(config, silentLogger, { mongodbUri: freshDatabaseUri("brute") });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.stop();
  });

  const randomToken = () => randomBytes(18).toString("base64url");
  const randomGroupCode = () =>
    Array.from(randomBytes(13), (byte) => CROCKFORD[byte % CROCKFORD.length]).join("");

  it("delays and counts half-matches, retires the code at the limit, and never slows anyone else", async () => {
    const victim = await playgroundSay(base, "victim", "/cart add KB-75 qty=2");
    const code = codeIn(victim.text, "s");
    const serial = code.split("-")[0]!;

    for (let attempt = 1; attempt <= 3; attempt++) {
      const sent = performance.now();
      let attackerDone = false;
      const guess = playgroundSay(base, "mallory", `/cart resume ${serial}-${randomToken()}`).then(
        (reply) => {
          attackerDone = true;
          return { reply, ms: performance.now() - sent };
        },
      );
      // Someone else shops while the attacker's reply is held back: their reply is not kept waiting.
      const bystander = await playgroundSay(base, `bystander${attempt}`, "/cart add KB-75");
      expect(bystander.text).toContain("/s/");
      expect(attackerDone).toBe(false);

      const { reply, ms } = await guess;
      expect(reply.errorCode).toBe("CART_IMPROPER");
      expect(reply.text).toMatch(/recorded/i);
      expect(ms).toBeGreaterThanOrEqual(badAttemptDelayMs(BASE_DELAY_MS, attempt));
    }

    // The owner learns the new code by DM; the old one opens nothing any more.
    const inbox = (await (await fetch(`${base}/playground/inbox?user=victim`)).json()) as {
      messages: Array<{ text: string }>;
    };
    const notice = inbox.messages.find((m) => /retired|suspicious/i.test(m.text));
    expect(notice).toBeDefined();
    const newCode = codeIn(notice!.text, "s");
    expect(newCode).not.toBe(code);
    expect((await playgroundSay(base, "victim", `/cart resume ${code}`)).errorCode).toBe("CART_NOT_FOUND");
    expect((await playgroundSay(base, "victim", `/cart resume ${newCode}`)).text).toContain("KB-75");
  });

  it("opens nothing for 10,000 guessed session and group codes, and locks the sweeper out", async () => {
    const owner = await playgroundSay(base, "owner", "/groupbuy KB-75 size=3");
    const realGroup = codeIn(owner.text, "g");
    const codes = new Map<string, number>();
    let next = 0;
    const guess = async () => {
      while (next < GUESSES) {
        const i = next++;
        const now = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
        const line =
          i % 3 === 0
            ? `/cart resume ${now}${String(i).padStart(6, "0")}-${randomToken()}`
            : i % 3 === 1
              ? `/join ${randomGroupCode()}`
              : `/group ${randomGroupCode()}`;
        const reply = await playgroundSay(base, "sweeper", line);
        expect(reply.status).toBe(200);
        const key = reply.errorCode ?? "OPENED";
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 25 }, guess));

    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(GUESSES);
    expect(codes.get("OPENED")).toBeUndefined();
    // Locked out after the first handful: almost every later guess is refused before any lookup.
    const limited = [...codes]
      .filter(([code]) => /RATE_LIMITED|TOO_MANY/.test(code))
      .reduce((a, [, n]) => a + n, 0);
    expect(limited).toBeGreaterThan(GUESSES * 0.9);
    // The real group is untouched by all of it.
    const status = await playgroundSay(base, "owner", `/group ${realGroup}`);
    expect(status.text).toMatch(/0 of 3|0\/3/);
    // 10,000 requests take about a minute on a quiet machine and ten on one loaded fifteen times
    // over: the limit only stops a hang.
  }, 1_800_000);
});
