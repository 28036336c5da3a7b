import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { MongoClient, MongoServerError } from "mongodb";
import { type EmbeddedMongo, startEmbeddedMongo } from "..";

const dirs: string[] = [];
const running: EmbeddedMongo[] = [];
const temporary = () => {
  const dir = mkdtempSync(join(tmpdir(), "embedded-full-"));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const store of running) await store.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function journalBytes(dir: string): number {
  const name = readdirSync(dir).find((f) => f.startsWith("journal-"))!;
  return statSync(join(dir, name)).size;
}

/** The store's process may write files up to `bytes` long (the soft RLIMIT_FSIZE): a disk that is full. */
function limitFileSize(pid: number, bytes: number | "unlimited"): void {
  execFileSync("prlimit", [`--pid=${pid}`, `--fsize=${bytes}:`]);
}

describe("a store whose disk is full", () => {
  it("refuses writes with MongoDB's OutOfDiskSpace, keeps every acknowledged one, and carries on once there is room", async () => {
    const dir = temporary();
    const first = await startEmbeddedMongo({ dataDir: dir });
    running.push(first);
    const client = await new MongoClient(first.uri, { retryWrites: false }).connect();
    const items = client.db("shop").collection<{ _id: number; pad: string }>("items");
    const pad = "x".repeat(500);
    try {
      await items.insertOne({ _id: 0, pad });
      limitFileSize(first.pid!, journalBytes(dir) + 4000);
      const acknowledged: number[] = [0];
      let refusal: MongoServerError | undefined;
      for (let i = 1; i < 100 && !refusal; i++) {
        try {
          await items.insertOne({ _id: i, pad });
          acknowledged.push(i);
        } catch (error) {
          if (!(error instanceof MongoServerError)) throw error;
          refusal = error;
        }
      }
      expect(refusal?.code).toBe(14031);
      expect(refusal?.codeName).toBe("OutOfDiskSpace");
      expect(refusal?.message).toMatch(/could not save this write to disk .*; it was not applied$/);
      // What was refused is not there; what was acknowledged is, and reads go on.
      expect((await items.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(acknowledged);
      // Room again: writes work again.
      limitFileSize(first.pid!, "unlimited");
      await items.insertOne({ _id: 1000, pad });
      acknowledged.push(1000);

      process.kill(first.pid!, "SIGKILL");
      const second = await startEmbeddedMongo({ dataDir: dir });
      running.push(second);
      const again = await new MongoClient(second.uri).connect();
      try {
        const ids = (await again.db("shop").collection("items").find().sort({ _id: 1 }).toArray()).map(
          (d) => d._id,
        );
        expect(ids).toEqual(acknowledged);
      } finally {
        await again.close();
      }
    } finally {
      await client.close().catch(() => {});
    }
  }, 120_000);

  it("refuses to start on a directory it cannot use, with one clear line", async () => {
    const file = join(temporary(), "not-a-directory");
    writeFileSync(file, "");
    const error = await startEmbeddedMongo({ dataDir: join(file, "data") }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `the data directory ${join(file, "data")} cannot be used (ENOTDIR): choose a writable directory`,
    );
  }, 120_000);
});
