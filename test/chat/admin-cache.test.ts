import { describe, expect, it } from "@jest/globals";
import { ADMIN_ANSWER_TTL_MS, cachedAdminCheck } from "../../src/chat/admin-cache";

describe("an admin answer kept briefly", () => {
  it("asks once per person within the minute, again after it, and never keeps a failure", async () => {
    let now = 0;
    const check = cachedAdminCheck({ now: () => now });
    const asked: string[] = [];
    const ask = (key: string, answer: boolean) => () => {
      asked.push(key);
      return Promise.resolve(answer);
    };
    expect(await check("a", ask("a", true))).toBe(true);
    expect(await check("a", ask("a", false))).toBe(true);
    expect(await check("b", ask("b", false))).toBe(false);
    expect(asked).toEqual(["a", "b"]);

    now += ADMIN_ANSWER_TTL_MS;
    // Demoted since: the next question after the minute hears it.
    expect(await check("a", ask("a", false))).toBe(false);

    const failing = () => Promise.reject(new Error("ratelimited"));
    await expect(check("c", failing)).rejects.toThrow("ratelimited");
    expect(await check("c", ask("c", true))).toBe(true);
    expect(asked).toEqual(["a", "b", "a", "c"]);
  });
});
