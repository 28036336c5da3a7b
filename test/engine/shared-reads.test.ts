import { SharedReads } from "../../src/engine/shared-reads";

describe("SharedReads", () => {
  it("runs one read for concurrent callers of the same key, and a fresh one afterwards", async () => {
    const calls: string[] = [];
    const reads = new SharedReads(async (key) => {
      calls.push(key);
      await new Promise((resolve) => setImmediate(resolve));
      return { key, n: calls.length };
    });
    const [a, b, c] = await Promise.all([reads.get("G1"), reads.get("G1"), reads.get("G2")]);
    expect(a).toBe(b);
    expect(c).toEqual({ key: "G2", n: 2 });
    expect(calls).toEqual(["G1", "G2"]);
    await reads.get("G1");
    expect(calls).toEqual(["G1", "G2", "G1"]);
  });

  it("shares a failure with the callers that waited, then lets the next caller retry", async () => {
    let fail = true;
    const reads = new SharedReads(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error("database down");
      return "ok";
    });
    const results = await Promise.allSettled([reads.get("G"), reads.get("G")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(reads.get("G")).resolves.toBe("ok");
  });
});
