/**
 * A worker process that claims one outbox message and then hangs before sending it, so a test can
 * kill it with SIGKILL at exactly that point. Reads CLAIM_URI and CLAIM_LEASE_MS from the environment.
 */
import mongoose from "mongoose";
import { systemClock } from "../../../src/clock";
import { createEngine } from "../../../src/engine";
import { silentLogger } from "../../../src/logger";
import { RecordingMessenger } from "./recording-messenger";

async function main(): Promise<void> {
  const connection = await mongoose.createConnection(process.env.CLAIM_URI ?? "").asPromise();
  const engine = createEngine({
    connection,
    clock: systemClock,
    log: silentLogger,
    publicUrl: "https://shop.test",
    groupTtlMs: 3_600_000,
    session: { ttlMs: 60_000, maxBadAttempts: 3, badAttemptDelayMs: 0 },
    outbox: { leaseMs: Number(process.env.CLAIM_LEASE_MS) },
  });
  engine.registerMessenger(new RecordingMessenger("playground"));
  const claimed = await engine.outbox.worker.claim();
  process.stdout.write(`CLAIMED ${claimed?._id ?? "nothing"}\n`);
  await new Promise(() => {});
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
