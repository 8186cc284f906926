import { connect } from "node:net";

// Just enough of the MongoDB wire protocol (OP_MSG + BSON) to ask a server `hello` without a driver, so devkit
// stays on Node's standard library and can tell "port open" from "server answering commands".

const OP_MSG = 2013;

function cstring(value: string): Buffer {
  return Buffer.concat([Buffer.from(value, "utf8"), Buffer.from([0])]);
}

function helloDocument(): Buffer {
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return b;
  };
  const db = cstring("admin");
  const body = Buffer.concat([
    Buffer.from([0x10]),
    cstring("hello"),
    int32(1),
    Buffer.from([0x02]),
    cstring("$db"),
    int32(db.length),
    db,
    Buffer.from([0]),
  ]);
  return Buffer.concat([int32(body.length + 4), body]);
}

function helloMessage(requestId: number): Buffer {
  const doc = helloDocument();
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: body
  return Buffer.concat([header, doc]);
}

/** Size in bytes of a BSON element value of `type` starting at `offset` (only types a hello reply contains). */
function valueSize(doc: Buffer, type: number, offset: number): number {
  switch (type) {
    case 0x01: // double
    case 0x09: // datetime
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string
      return 4 + doc.readInt32LE(offset);
    case 0x03: // document
    case 0x04: // array
      return doc.readInt32LE(offset);
    case 0x05: // binary
      return 4 + 1 + doc.readInt32LE(offset);
    case 0x07: // ObjectId
      return 12;
    case 0x08: // boolean
      return 1;
    case 0x0a: // null
      return 0;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
    default:
      throw new Error(`unexpected BSON type 0x${type.toString(16)} in hello reply`);
  }
}

/** Reads the numeric top-level field `ok` of a BSON document. */
export function readOk(doc: Buffer): number | undefined {
  let offset = 4;
  const end = doc.readInt32LE(0) - 1;
  while (offset < end) {
    const type = doc.readUInt8(offset);
    const nameEnd = doc.indexOf(0, offset + 1);
    const name = doc.toString("utf8", offset + 1, nameEnd);
    const valueAt = nameEnd + 1;
    if (name === "ok") {
      if (type === 0x01) return doc.readDoubleLE(valueAt);
      if (type === 0x10) return doc.readInt32LE(valueAt);
      if (type === 0x08) return doc.readUInt8(valueAt);
    }
    offset = valueAt + valueSize(doc, type, valueAt);
  }
  return undefined;
}

/** Sends `hello` to host:port; resolves true when the server replies with ok: 1. */
export async function mongoHello(port: number, host = "127.0.0.1", timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once("error", () => {
      done(false);
    });
    socket.once("connect", () => socket.write(helloMessage(1)));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < received.readInt32LE(0)) return;
      try {
        // header (16) + flagBits (4) + section kind (1), then the reply document
        done(received.readInt32LE(12) === OP_MSG && readOk(received.subarray(21)) === 1);
      } catch {
        done(false);
      }
    });
  });
}
