import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { BSON, type Document, MongoClient } from "mongodb";
import { EmbeddedServer } from "../server";

/**
 * Protocol-level behaviour of the embedded store itself (not a MongoDB conformance check): raw
 * frames over a socket to an instance started in this process, with its log captured.
 */

const logged: string[] = [];
const log = {
  info: () => {},
  warn: (obj: object, msg: string) => void logged.push(`${msg} ${JSON.stringify(obj)}`),
  error: (obj: object, msg: string) => void logged.push(`${msg} ${JSON.stringify(obj)}`),
};
let server: EmbeddedServer;
let port: number;

beforeAll(async () => {
  server = new EmbeddedServer(log);
  port = await server.listen(0);
});
afterAll(async () => server.close());

let requestId = 1;

function frame(opCode: number, body: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(requestId++, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, body]);
}

function opMsg(command: Document, flags = 0, sequences: Array<[string, Document[]]> = []): Buffer {
  const parts = [Buffer.alloc(4), Buffer.from([0]), Buffer.from(BSON.serialize(command))];
  parts[0]?.writeUInt32LE(flags, 0);
  for (const [id, docs] of sequences) {
    const payload = Buffer.concat([
      Buffer.from(`${id}\0`),
      ...docs.map((d) => Buffer.from(BSON.serialize(d))),
    ]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  return frame(2013, Buffer.concat(parts));
}

function opQuery(ns: string, query: Document): Buffer {
  const flags = Buffer.alloc(4);
  const skipReturn = Buffer.alloc(8);
  skipReturn.writeInt32LE(-1, 4);
  return frame(
    2004,
    Buffer.concat([flags, Buffer.from(`${ns}\0`), skipReturn, Buffer.from(BSON.serialize(query))]),
  );
}

async function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** The next whole reply frame on the socket. */
function reply(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        socket.off("data", onData);
        resolve(data);
      }
    };
    socket.on("data", onData);
    socket.once("close", () => reject(new Error("connection closed")));
  });
}

function msgBody(frameData: Buffer): Document {
  expect(frameData.readInt32LE(12)).toBe(2013);
  return BSON.deserialize(frameData.subarray(21));
}

function closed(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve(true);
    socket.once("close", () => resolve(true));
  });
}

describe("wire protocol", () => {
  it("answers a legacy OP_QUERY isMaster with OP_REPLY", async () => {
    const socket = await open();
    const pending = reply(socket);
    socket.write(opQuery("admin.$cmd", { isMaster: 1 }));
    const data = await pending;
    expect(data.readInt32LE(12)).toBe(1);
    expect(data.readInt32LE(32)).toBe(1);
    const doc = BSON.deserialize(data.subarray(36));
    expect(doc).toMatchObject({ ismaster: true, setName: "crowdcart", hosts: [`127.0.0.1:${port}`], ok: 1 });
    expect(doc).not.toHaveProperty("topologyVersion");
    socket.destroy();
  });

  it("merges kind-1 document sequences into the command and honours moreToCome", async () => {
    const socket = await open();
    socket.write(opMsg({ insert: "seq", $db: "wire" }, 2, [["documents", [{ _id: 1 }, { _id: 2 }]]]));
    const pending = reply(socket);
    socket.write(opMsg({ find: "seq", filter: {}, $db: "wire" }));
    const body = msgBody(await pending);
    expect(body.cursor.firstBatch).toEqual([{ _id: 1 }, { _id: 2 }]);
    socket.destroy();
  });

  it.each([
    ["a malformed BSON body", () => frame(2013, Buffer.from([0, 0, 0, 0, 0, 12, 0, 0, 0, 9, 9, 9]))],
    ["an unknown opcode", () => frame(4242, Buffer.alloc(8))],
    ["a length below the header size", () => Buffer.from([8, 0, 0, 0, 0, 0, 0, 0])],
    ["a length over maxMessageSizeBytes", () => Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0])],
  ])("closes only the connection that sends %s, with a log line", async (_what, bad) => {
    const before = logged.length;
    const healthy = await open();
    const victim = await open();
    victim.write(bad());
    expect(await closed(victim)).toBe(true);
    expect(logged.length).toBe(before + 1);
    expect(logged[before]).toContain("bad frame");
    const pending = reply(healthy);
    healthy.write(opMsg({ ping: 1, $db: "admin" }));
    expect(msgBody(await pending).ok).toBe(1);
    healthy.destroy();
  });

  it("keeps serving driver clients after a bad frame", async () => {
    const victim = await open();
    victim.write(frame(9999, Buffer.alloc(4)));
    await closed(victim);
    const client = await new MongoClient(`mongodb://127.0.0.1:${port}/?replicaSet=crowdcart`).connect();
    try {
      expect((await client.db("wire").command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
    }
  });
});
