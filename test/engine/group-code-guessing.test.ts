import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Connection } from "mongoose";
import { MISS_LIMIT } from "../../src/engine/guess-limit";
import { dropConnection, freshConnection } from "../support/db";
import { engineOn, errorCode, type Harness, people } from "./support/harness";

describe("guessing group codes", () => {
  let connection: Connection;
  let h: Harness;
  let organiser: string;
  let guesser: string;
  let honest: string;
  beforeAll(async () => {
    connection = await freshConnection("guess");
    h = await engineOn(connection);
    [organiser, guesser, honest] = (await people(h.engine, "olga", "gus", "hana")) as [
      string,
      string,
      string,
    ];
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("locks a sender out after too many unknown codes, whether joined or looked up, until the window ends", async () => {
    const { code } = await h.engine.groups.open(organiser, "KB-75", { size: 2, max: 5 });
    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      const wrong = `ZZZZZZZZZZZ${String(i).padStart(2, "0")}`;
      const attempt = () =>
        i % 2 === 0 ? h.engine.groups.join(guesser, wrong) : h.engine.groups.status(wrong, guesser);
      expect(await errorCode(attempt)).toBe("UNKNOWN_GROUP");
    }
    // Locked out: even the real code is refused before any lookup, so a hit cannot be told apart.
    expect(await errorCode(() => h.engine.groups.join(guesser, code))).toBe("TOO_MANY_UNKNOWN_CODES");
    // Other people are not affected.
    await expect(h.engine.groups.join(honest, code)).resolves.toMatchObject({ memberCount: 1 });

    h.clock.advance(MISS_LIMIT.windowMs + 1);
    await expect(h.engine.groups.join(guesser, code)).resolves.toMatchObject({ memberCount: 2 });
  });

  it("shares one budget with session codes", async () => {
    const sender = "web:203.0.113.9";
    for (let i = 0; i < MISS_LIMIT.maxMisses; i++) {
      expect(
        await errorCode(() => h.engine.groups.view(`YYYYYYYYYYY${String(i).padStart(2, "0")}`, { sender })),
      ).toBe("UNKNOWN_GROUP");
    }
    const access = await h.engine.carts.viewByCode(`20260101120000000001-${"A".repeat(24)}`, sender);
    expect(access.kind).toBe("rate_limited");
  });
});
