import { describe, expect, it } from "@jest/globals";
import { Pacer } from "../../src/engine/outbox/pace";

describe("outbox pacing", () => {
  it("spaces sends by the messenger's per-platform and per-recipient pace", async () => {
    let now = 0;
    const waits: number[] = [];
    const pacer = new Pacer(
      () => now,
      async (ms) => {
        waits.push(ms);
      },
    );
    const slack = { platform: "slack" as const, pace: { perSecond: 4, perRecipientPerSecond: 1 } };
    await pacer.wait(slack, "U1");
    await pacer.wait(slack, "U2"); // another recipient: only the platform's 250 ms spacing
    await pacer.wait(slack, "U1"); // same recipient: one per second
    now = 5_000;
    await pacer.wait(slack, "U1"); // long after: no wait
    expect(waits).toEqual([250, 1000]);
  });
});
