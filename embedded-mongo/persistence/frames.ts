import { crc32 } from "node:zlib";
import { BSON } from "bson";
import type { Doc } from "../bson-values";
import { deserializeDocument } from "../protocol/bson-decode";
import { serializeAfter } from "../protocol/bson-encode";

/**
 * Journal and snapshot files are a sequence of frames: payload length (4 bytes), CRC-32 of the
 * payload (4 bytes), then the payload, one BSON document. A frame cut short or whose checksum
 * fails marks the end of what was written whole: a torn tail after a crash.
 */
const HEADER_BYTES = 8;

/** One document as a frame, written with the same BSON writer as the store's replies. */
export function encodeFrame(doc: Doc): Buffer {
  let out = serializeAfter(HEADER_BYTES, doc);
  if (!out) {
    const body = BSON.serialize(doc);
    out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    out.set(body, HEADER_BYTES);
  }
  const payload = out.subarray(HEADER_BYTES);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  return out;
}

export interface Frame {
  doc: Doc;
  /** The offset just after this frame. */
  end: number;
}

/**
 * Calls `onFrame` with each whole frame of `buf` from `start`, in order, stopping at the first
 * torn or damaged one; returns where the whole frames end (the length when nothing is torn).
 */
export function scanFrames(buf: Buffer, onFrame: (doc: Doc, end: number) => void, start = 0): number {
  let at = start;
  while (at + HEADER_BYTES <= buf.length) {
    const length = buf.readUInt32LE(at);
    const end = at + HEADER_BYTES + length;
    // A BSON document is at least 5 bytes and states its own length: anything else is a torn frame.
    if (length < 5 || end > buf.length) break;
    const payload = buf.subarray(at + HEADER_BYTES, end);
    if (payload.readInt32LE(0) !== length || crc32(payload) !== buf.readUInt32LE(at + 4)) break;
    let doc: Doc;
    try {
      doc = deserializeDocument(payload);
    } catch {
      break;
    }
    onFrame(doc, end);
    at = end;
  }
  return at;
}

/** The whole frames of `buf`, and where they end. */
export function readFrames(buf: Buffer): { frames: Frame[]; validEnd: number } {
  const frames: Frame[] = [];
  const validEnd = scanFrames(buf, (doc, end) => frames.push({ doc, end }));
  return { frames, validEnd };
}
