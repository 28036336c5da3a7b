import { connect, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { HeldReplies } from "../held-replies";

/** A connected pair of real sockets: the server side to write on, and what the client received. */
let server: ReturnType<typeof createServer>;
let serverSide: Socket;
let received = "";
beforeAll(async () => {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  const client = connect(address.port, "127.0.0.1");
  client.setEncoding("utf8").on("data", (chunk: string) => {
    received += chunk;
  });
  serverSide = await accepted;
});
afterAll(async () => {
  serverSide.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** Everything written to the socket so far: a marker written after it arrives last, in order. */
async function receivedNow(): Promise<string> {
  serverSide.write("|");
  while (!received.includes("|")) await new Promise((resolve) => setImmediate(resolve));
  const text = received.slice(0, received.indexOf("|"));
  received = received.slice(received.indexOf("|") + 1);
  return text;
}

const held = (text: string, waitFor: number) => ({
  waitFor,
  reply: Buffer.from(text),
  failed: (failure: Record<string, unknown>) => Buffer.from(`${text}:${String(failure.codeName)}`),
});

/** The rule that makes an acknowledged write durable: no reply before the journal record it may show. */
describe("replies held for the journal", () => {
  it("sends a reply only once its record is durable, in request order", async () => {
    const replies = new HeldReplies();
    replies.add(serverSide, held("a", 0));
    replies.add(serverSide, held("b", 2));
    replies.add(serverSide, held("c", 1));
    replies.flush(serverSide, 1);
    // "c" is durable but waits behind "b": replies keep the order of their requests.
    expect(await receivedNow()).toBe("a");
    replies.release(2);
    expect(await receivedNow()).toBe("bc");
  });

  it("turns replies waiting for lost records into the failure, and sends the rest as they are", async () => {
    const replies = new HeldReplies();
    replies.add(serverSide, held("d", 3));
    replies.add(serverSide, held("e", 4));
    replies.add(serverSide, held("f", 5));
    replies.flush(serverSide, 2);
    expect(await receivedNow()).toBe("");
    replies.fail(3, { codeName: "OutOfDiskSpace" });
    expect(await receivedNow()).toBe("de:OutOfDiskSpacef:OutOfDiskSpace");
    replies.release(5);
    expect(await receivedNow()).toBe("");
  });
});
