import { databaseUnderTest } from "./db";

export default async function globalTeardown(): Promise<void> {
  const store = (globalThis as { __crowdcartStore?: { stop(): Promise<void> } }).__crowdcartStore;
  await store?.stop();
  // Again at the end, where the summary is read.
  process.stdout.write(`${databaseUnderTest()}\n`);
}
