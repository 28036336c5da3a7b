import { createReadStream, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { type AnyBulkWriteOperation, BSON, type Document } from "mongodb";
import { fail, runScript, withConfiguredDatabase } from "./configured-database";

const BATCH = 1000;

/**
 * `npm run data:import -- <dir>`: loads every `<collection>.json` of `<dir>` (one Extended JSON
 * document per line, as `data:export` and `mongoexport` write them) into the configured
 * database. Each document replaces the one with its `_id`, so running it twice changes nothing.
 */
async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) fail("usage: npm run data:import -- <dir>  (a directory of <collection>.json files)", 2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (files.length === 0)
    fail(`no <collection>.json files in ${dir}: export them with npm run data:export -- ${dir}`, 2);
  await withConfiguredDatabase(async (db) => {
    for (const file of files) {
      const name = basename(file, ".json");
      const coll = db.collection(name);
      let batch: AnyBulkWriteOperation<Document>[] = [];
      let count = 0;
      let line = 0;
      const flush = async () => {
        if (batch.length > 0) await coll.bulkWrite(batch as never, { ordered: true });
        batch = [];
      };
      for await (const text of createInterface({
        input: createReadStream(join(dir, file)),
        crlfDelay: Infinity,
      })) {
        line += 1;
        if (text.trim() === "") continue;
        let doc: Document;
        try {
          doc = BSON.EJSON.parse(text, { relaxed: false }) as Document;
        } catch (error) {
          throw new Error(`${file} line ${line}: not Extended JSON (${(error as Error).message})`);
        }
        batch.push({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } });
        count += 1;
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      process.stdout.write(`${name}: ${count} documents from ${join(dir, file)}\n`);
    }
  });
}

runScript(main);
