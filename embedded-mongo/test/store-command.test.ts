import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { MongoClient } from "mongodb";

const ROOT = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "store-command-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run store -- <args>`, resolving with the port it prints (or the line it failed with). */
function npmStore(args: string[]): { child: ChildProcess; port: Promise<number>; exited: Promise<string> } {
  const child = spawn("npm", ["run", "--silent", "store", "--", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<string>((resolve) => child.once("exit", () => resolve(stderr)));
  const port = new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((text) => reject(new Error(`exited: ${text}`)));
  });
  // Callers that only wait for the exit never read the port.
  port.catch(() => {});
  return { child, port, exited };
}

/** The store on its own, for any MongoDB client or test suite. */
describe("npm run store", () => {
  it("serves on 127.0.0.1, keeps its data in --data-dir, and stops cleanly on SIGTERM", async () => {
    const first = npmStore(["--port", "0", "--data-dir", dir]);
    const port = await first.port;
    const uri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
    const client = await new MongoClient(uri).connect();
    await client.db("any").collection("things").insertOne({ kept: true });
    await client.close();
    first.child.kill("SIGTERM");
    await first.exited;
    // npm passes SIGTERM on and returns; the store lets go of the directory as it stops.
    for (let i = 0; i < 100 && existsSync(join(dir, "LOCK")); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(join(dir, "LOCK"))).toBe(false);

    const second = npmStore(["--port", String(port), "--data-dir", dir]);
    expect(await second.port).toBe(port);
    const again = await new MongoClient(uri).connect();
    try {
      expect(await again.db("any").collection("things").countDocuments({ kept: true })).toBe(1);
    } finally {
      await again.close();
      second.child.kill("SIGTERM");
      await second.exited;
    }
  }, 120_000);

  it("says what was wrong with a bad port in one line", async () => {
    const stderr = await npmStore(["--port", "99999"]).exited;
    expect(stderr.trim()).toBe(
      "embedded store could not start: --port must be a port number from 0 to 65535, not 99999",
    );
  }, 60_000);
});
