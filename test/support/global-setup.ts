import { startEmbeddedMongo } from "../../embedded-mongo";
import { databaseUnderTest } from "./db";

/**
 * Starts the embedded store once for the whole run (its own tests in `embedded-mongo/test` start
 * theirs). The suite uses it unless `MONGODB_URI` names a real MongoDB: an explicit choice, so one
 * commit tests the same database on every machine. Workers inherit both through the environment;
 * each test file then works in a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const embedded = await startEmbeddedMongo();
  process.env.CROWDCART_TEST_EMBEDDED_URI = embedded.uri;
  process.env.CROWDCART_TEST_MONGODB_URI = process.env.MONGODB_URI || embedded.uri;
  (globalThis as { __crowdcartStore?: typeof embedded }).__crowdcartStore = embedded;
  process.stdout.write(`\n${databaseUnderTest()}\n`);
}
