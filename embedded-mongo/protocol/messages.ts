import { BSON } from "bson";
import type { Doc } from "../bson-values";
import { deserializeDocument } from "./bson-decode";
import { serializeAfter } from "./bson-encode";

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1;
export const MORE_TO_COME = 2;

/** A frame the server refuses; the connection that sent it is closed. */
export class FrameError extends Error {}

export interface Request {
  requestId: number;
  opCode: number;
  flags: number;
  command: Doc;
}

function readDoc(frame: Buffer, pos: number, end: number): { doc: Doc; next: number } {
  if (pos + 5 > end) throw new FrameError("truncated document");
  const size = frame.readInt32LE(pos);
  if (size < 5 || pos + size > end) throw new FrameError("document length out of bounds");
  try {
    return { doc: deserializeDocument(frame.subarray(pos, pos + size)), next: pos + size };
  } catch (error) {
    throw new FrameError(`invalid BSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readCString(frame: Buffer, pos: number, end: number): { value: string; next: number } {
  const zero = frame.indexOf(0, pos);
  if (zero < 0 || zero >= end) throw new FrameError("unterminated string");
  return { value: frame.toString("utf8", pos, zero), next: zero + 1 };
}

/** OP_MSG: the kind-0 body with every kind-1 document sequence merged in under its identifier. */
function decodeMsg(frame: Buffer, requestId: number): Request {
  if (frame.length < 21) throw new FrameError("OP_MSG too short");
  const flags = frame.readUInt32LE(16);
  const end = frame.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let pos = 20;
  let body: Doc | undefined;
  const sequences: Array<[string, Doc[]]> = [];
  while (pos < end) {
    const kind = frame[pos];
    pos += 1;
    if (kind === 0) {
      if (body) throw new FrameError("OP_MSG with two kind-0 sections");
      const read = readDoc(frame, pos, end);
      body = read.doc;
      pos = read.next;
    } else if (kind === 1) {
      if (pos + 4 > end) throw new FrameError("truncated document sequence");
      const size = frame.readInt32LE(pos);
      const sectionEnd = pos + size;
      if (size < 5 || sectionEnd > end) throw new FrameError("document sequence length out of bounds");
      const id = readCString(frame, pos + 4, sectionEnd);
      const docs: Doc[] = [];
      let at = id.next;
      while (at < sectionEnd) {
        const read = readDoc(frame, at, sectionEnd);
        docs.push(read.doc);
        at = read.next;
      }
      sequences.push([id.value, docs]);
      pos = sectionEnd;
    } else throw new FrameError(`unknown OP_MSG section kind ${String(kind)}`);
  }
  if (!body) throw new FrameError("OP_MSG without a body");
  for (const [id, docs] of sequences) body[id] = docs;
  return { requestId, opCode: OP_MSG, flags, command: body };
}

/** OP_QUERY, which drivers only use for the first handshake (`admin.$cmd`). */
function decodeQuery(frame: Buffer, requestId: number): Request {
  const flags = frame.readInt32LE(16);
  const ns = readCString(frame, 20, frame.length);
  const { doc } = readDoc(frame, ns.next + 8, frame.length);
  const command = doc.$query && typeof doc.$query === "object" ? (doc.$query as Doc) : doc;
  const db = ns.value.endsWith(".$cmd") ? ns.value.slice(0, -5) : ns.value.split(".")[0];
  if (!ns.value.endsWith(".$cmd"))
    throw new FrameError(`OP_QUERY on ${ns.value} is not supported (only commands)`);
  return { requestId, opCode: OP_QUERY, flags, command: { ...command, $db: db } };
}

export function decodeRequest(frame: Buffer): Request {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) return decodeMsg(frame, requestId);
  if (opCode === OP_QUERY) return decodeQuery(frame, requestId);
  throw new FrameError(`unknown opcode ${opCode}`);
}

let nextRequestId = 1;

function writeHeader(out: Buffer, length: number, responseTo: number, opCode: number): void {
  out.writeInt32LE(length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const out = Buffer.allocUnsafe(16);
  writeHeader(out, length, responseTo, opCode);
  return out;
}

export function encodeMsg(responseTo: number, reply: Doc): Buffer {
  // One buffer for header, flags, section kind and body (no separate pieces to concatenate).
  const lean = serializeAfter(21, reply);
  const body = lean ? undefined : BSON.serialize(reply);
  const out = lean ?? Buffer.allocUnsafe(21 + (body as Uint8Array).length);
  writeHeader(out, out.length, responseTo, OP_MSG);
  out.writeUInt32LE(0, 16);
  out[20] = 0;
  if (body) out.set(body, 21);
  return out;
}

export function encodeReply(responseTo: number, reply: Doc): Buffer {
  const body = BSON.serialize(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(8, 0); // AwaitCapable, as mongod sets it
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}
