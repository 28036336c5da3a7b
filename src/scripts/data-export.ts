import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { BSON } from "mongodb";
import { fail, runScript, withConfiguredDatabase } from "./configured-database";

/**
 * `npm run data:export -- <dir>`: every collection of the configured database as
 * `<dir>/<collection>.json`, one document per line in canonical MongoDB Extended JSON, the form
 * `mongoimport --file` reads with every type kept (dates, ObjectIds, int/long/double).
 */
async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) fail("usage: npm run data:export -- <dir>  (the directory the .json files are written to)", 2);
  mkdirSync(dir, { recursive: true });
  await withConfiguredDatabase(async (db) => {
    const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    for (const name of collections.filter((n) => !n.startsWith("system.")).sort()) {
      const path = join(dir, `${name}.json`);
      const out = createWriteStream(path);
      let count = 0;
      // Numbers as the server holds them (int32, int64, double), not as JavaScript numbers.
      for await (const doc of db.collection(name).find({}, { promoteValues: false, promoteLongs: false })) {
        if (!out.write(`${BSON.EJSON.stringify(doc, { relaxed: false })}\n`)) await once(out, "drain");
        count += 1;
      }
      out.end();
      await once(out, "finish");
      process.stdout.write(`${name}: ${count} documents → ${path}\n`);
    }
  });
}

runScript(main);
