import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { ManualClock } from "../../src/clock";
import { dropConnection, freshDatabaseUri } from "../support/db";
import { engineOn, type Harness, people } from "./support/harness";

const LEASE_MS = 60_000;

/** Runs the claim-then-hang worker and resolves with the id it claimed, leaving it running. */
function claimInChild(uri: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(__dirname, "support", "claim-then-hang.ts")],
    {
      env: { ...process.env, CLAIM_URI: uri, CLAIM_LEASE_MS: String(LEASE_MS) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const claimed = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /CLAIMED (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) before claiming: ${err}`)));
  });
  return { child, claimed, exited };
}

describe("outbox crash-safety with a real process", () => {
  let connection: Connection;
  let uri: string;
  let h: Harness;
  beforeAll(async () => {
    uri = freshDatabaseUri("crash");
    connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
    // The survivor's clock starts at real time: the child's lease is set on the system clock.
    h = await engineOn(connection, { clock: new ManualClock(new Date()) });
  });
  afterAll(async () => {
    await dropConnection(connection);
  });

  it("a worker killed with SIGKILL between claim and send: after the lease the message is sent once", async () => {
    const [org, bob] = (await people(h.engine, "org", "bob")) as [string, string];
    await h.engine.groups.open(org, "KB-75", { members: [bob] });
    const [pending] = await h.engine.outbox.list({ status: "pending" });

    const worker = claimInChild(uri);
    expect(await worker.claimed).toBe(pending?._id);
    worker.child.kill("SIGKILL");
    await worker.exited;

    expect(await h.engine.outbox.runOnce()).toBe(0); // the dead worker's lease still holds
    expect(h.messenger.sent).toHaveLength(0);
    h.clock.set(new Date(Date.now() + LEASE_MS + 1_000));
    expect(await h.engine.outbox.runOnce()).toBe(1);
    expect(await h.engine.outbox.runOnce()).toBe(0);
    expect(h.messenger.sent.map((m) => m.id)).toEqual([pending?._id]);
  }, 60_000);
});
