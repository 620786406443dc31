// Decodes a captured ipos link stream and prints its frames and ops, one line each.
//
//   node decode-session.mjs [--format msgpack|json] <capture-file>
//
// A capture is one direction of one link, byte for byte: the 8-byte magic, then frames
// (u32 big-endian length, u8 type, body), exactly as docs/protocol.md describes. OP and SNAPSHOT
// bodies are decoded in the wire format the parent announced in WELCOME (a parent-to-child
// capture says so itself; for a child-to-parent capture pass --format, or the script guesses
// from the first body). msgpack bodies are read with the stock npm package @msgpack/msgpack; json
// bodies with a small exact parser (JSON.parse would round 64-bit integers and lose "2.0" vs "2").
// chronicle bodies are shown as hex.
//
// Output, one line per frame, prefixed with the frame's stream offset:
//   @35 SNAPSHOT counters {0:1} fields {"config": map 0:1 {"retries": 3}, "greeting": "hello"}
//   @120 OP MAP_PUT 0:1 "timeout": Duration(5s)
//   @140 ACK 1
// Node ids are shown as creator:counter (creator 0 is the parent, the root is "root"); tagged
// values by their tag's name (Long(5), UUID(...), BigDecimal(1.50)...). One limit of JavaScript:
// msgpack floats with a whole value print like integers (the stock decoder returns a plain number).

import { readFileSync } from "node:fs";
import { decode } from "@msgpack/msgpack";

const MAGIC = Buffer.from([0x89, 0x49, 0x50, 0x4f, 0x53, 0x0d, 0x0a, 0x1a]);
const FRAME_TYPES = { 1: "HELLO", 2: "WELCOME", 3: "SNAPSHOT", 4: "READY", 5: "OP", 6: "ACK", 7: "SYNC", 8: "SYNC_ACK", 9: "ERROR",
  10: "REJECT", 11: "RESYNC", 12: "RELAY", 13: "PEER", 14: "LOST", 15: "RETRY", 16: "MSG", 17: "CALL", 18: "RESULT",
  19: "CANCEL", 20: "EXPOSE", 21: "EXPOSED", 22: "UNEXPOSE", 23: "RESENT" };
const OPS = {
  1: "MAP_PUT", 2: "MAP_REMOVE", 3: "MAP_CLEAR", 4: "LIST_INSERT", 5: "LIST_SET", 6: "LIST_REMOVE", 7: "LIST_CLEAR",
  8: "LIST_PERMUTE", 9: "SET_ADD", 10: "SET_REMOVE", 11: "SET_CLEAR", 12: "MAP_PUT_IF_ABSENT", 13: "MAP_REPLACE_IF",
  14: "MAP_REMOVE_IF",
};
const TAGS = {
  1: "Long", 2: "Byte", 3: "Short", 4: "Character", 5: "BigInteger", 6: "BigDecimal", 7: "UUID", 8: "Instant",
  9: "Duration", 10: "LocalDate", 11: "LocalTime", 12: "LocalDateTime", 13: "OffsetDateTime", 14: "ZonedDateTime",
  15: "Period", 16: "YearMonth", 17: "ZoneId", 18: "URI", 20: "List", 21: "Set", 22: "Map", 30: "Registered",
};
const LITERALS = { 40: "map", 41: "list", 42: "set" };

// ------------------------------------------------------------------ the value model
// Every body decodes to: null, boolean, bigint (integer), Float, string, Uint8Array, or Array.

class Float {
  constructor(value, width) {
    this.value = value; // a number
    this.width = width; // 32, 64, or undefined when the format does not say (msgpack via the stock decoder)
  }
}

class BadValue {
  constructor(what) {
    this.what = what;
  }
}

function fromMsgpack(v) {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : new Float(v, undefined);
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(fromMsgpack);
  return new BadValue(v instanceof Date ? "msgpack timestamp extension" : "msgpack map or extension");
}

function decodeMsgpack(body) {
  return fromMsgpack(decode(body, { useBigInt64: true }));
}

// A strict JSON reader for ipos json bodies (docs/protocol.md, "json"): integers stay exact
// (bigint), numbers with a fraction or exponent are float64, {"f32": x}, {"f64": x} and
// {"bin": base64} are the float32, special float64 and byte-string elements.
function decodeJson(body) {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  let i = 0;
  const fail = (why) => {
    throw new Error(`json body: ${why} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const expect = (c) => {
    if (text[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const str = () => {
    const start = i;
    expect('"');
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    expect('"');
    return JSON.parse(text.slice(start, i));
  };
  const num = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) fail("bad number");
    i += m[0].length;
    return m[2] || m[3] ? new Float(Number(m[0]), 64) : BigInt(m[0]);
  };
  const special = (s, width) => {
    if (typeof s === "bigint") return new Float(Number(s), width);
    if (s instanceof Float) return new Float(s.value, width);
    if (s === "NaN") return new Float(NaN, width);
    if (s === "Infinity") return new Float(Infinity, width);
    if (s === "-Infinity") return new Float(-Infinity, width);
    if (typeof s === "string" && /^0x[0-9a-f]+$/.test(s)) {
      const view = new DataView(new ArrayBuffer(8));
      if (width === 32) {
        view.setUint32(0, parseInt(s, 16));
        return new Float(view.getFloat32(0), 32);
      }
      view.setBigUint64(0, BigInt(s));
      return new Float(view.getFloat64(0), 64);
    }
    fail(`bad f${width} ${String(s)}`);
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("]");
        return out;
      }
    }
    if (c === "{") {
      i++;
      ws();
      const key = str();
      ws();
      expect(":");
      const v = value();
      ws();
      expect("}");
      if (key === "f32" || key === "f64") return special(v, key === "f32" ? 32 : 64);
      if (key === "bin" && typeof v === "string") return new Uint8Array(Buffer.from(v, "base64"));
      fail(`unknown object {"${key}": ...}`);
    }
    if (c === '"') return str();
    if (text.startsWith("null", i)) return (i += 4), null;
    if (text.startsWith("true", i)) return (i += 4), true;
    if (text.startsWith("false", i)) return (i += 5), false;
    return num();
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing bytes");
  return v;
}

// ------------------------------------------------------------------ rendering

const int = (v) => (typeof v === "bigint" ? Number(v) : NaN);

function nodeId(v) {
  if (typeof v !== "bigint") return `?${show(v)}`;
  if (v === 0n) return "root";
  return `${v & 0xfffffn}:${v >> 20n}`;
}

function hex(bytes) {
  return Buffer.from(bytes).toString("hex");
}

function twosComplement(bytes) {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0] & 0x80) n -= 1n << BigInt(8 * bytes.length);
  return n;
}

function decimal(unscaled, scale) {
  if (scale <= 0) return scale === 0 ? `${unscaled}` : `${unscaled}E+${-scale}`;
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${digits}` : digits;
}

function fraction(nanos) {
  if (nanos === 0) return "";
  const s = String(nanos).padStart(9, "0");
  return "." + (nanos % 1e6 === 0 ? s.slice(0, 3) : nanos % 1e3 === 0 ? s.slice(0, 6) : s);
}

function isoDate(epochDay) {
  const d = new Date(epochDay * 86_400_000);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

function timeOfDay(nanos) {
  const secs = Math.floor(nanos / 1e9);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}${fraction(nanos % 1e9)}`;
}

function uuid(msb, lsb) {
  const h = BigInt.asUintN(64, msb).toString(16).padStart(16, "0") + BigInt.asUintN(64, lsb).toString(16).padStart(16, "0");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function tagged(tag, f) {
  const name = TAGS[tag];
  const all = () => f.map(show).join(", ");
  try {
    switch (tag) {
      case 1: case 2: case 3:
        return `${name}(${f[0]})`;
      case 4:
        return `Character(${JSON.stringify(String.fromCharCode(int(f[0])))})`;
      case 5:
        return `BigInteger(${twosComplement(f[0])})`;
      case 6:
        return `BigDecimal(${decimal(twosComplement(f[0]), int(f[1]))})`;
      case 7:
        return `UUID(${uuid(f[0], f[1])})`;
      case 8: {
        const d = new Date(int(f[0]) * 1000);
        if (Number.isNaN(d.getTime())) break;
        return `Instant(${d.toISOString().slice(0, 19)}${fraction(int(f[1]))}Z)`;
      }
      case 9: {
        const total = f[0] * 1_000_000_000n + f[1];
        const abs = total < 0n ? -total : total;
        const frac = (abs % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
        return `Duration(${total < 0n ? "-" : ""}${abs / 1_000_000_000n}${frac ? "." + frac : ""}s)`;
      }
      case 10: {
        const d = isoDate(int(f[0]));
        if (d === null) break;
        return `LocalDate(${d})`;
      }
      case 11:
        return `LocalTime(${timeOfDay(int(f[0]))})`;
      case 12: {
        const d = isoDate(int(f[0]));
        if (d === null) break;
        return `LocalDateTime(${d}T${timeOfDay(int(f[1]))})`;
      }
      case 13: case 14: case 16: case 17: case 18:
        return `${name}(${JSON.stringify(f[0])})`;
      case 15:
        return `Period(${f[0]}y ${f[1]}m ${f[2]}d)`;
      case 20:
        return `List[${all()}]`;
      case 21:
        return `Set{${all()}}`;
      case 22: {
        const kv = [];
        for (let j = 0; j + 1 < f.length; j += 2) kv.push(`${show(f[j])}: ${show(f[j + 1])}`);
        return `Map{${kv.join(", ")}}`;
      }
      case 30:
        return `Registered(${JSON.stringify(f[0])}, ${show(f[1])})`;
      case 40: case 41: case 42:
        return literal(tag, f);
      default:
    }
  } catch (e) {
    // a field of the wrong kind: fall back to the raw fields below
  }
  return `${name ?? "Tag" + tag}[${tag}](${all()})`;
}

function literal(tag, f) {
  const id = nodeId(f[0]);
  const rest = f.slice(1);
  if (tag === 40) {
    const kv = [];
    for (let j = 0; j + 1 < rest.length; j += 2) kv.push(`${show(rest[j])}: ${show(rest[j + 1])}`);
    return `map ${id} {${kv.join(", ")}}`;
  }
  return tag === 41 ? `list ${id} [${rest.map(show).join(", ")}]` : `set ${id} {${rest.map(show).join(", ")}}`;
}

function show(v) {
  if (v === null) return "null";
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Float) {
    const s = Number.isFinite(v.value) && Number.isInteger(v.value) && v.width ? v.value.toFixed(1) : String(v.value);
    return v.width === 32 ? `${s}f` : s;
  }
  if (v instanceof Uint8Array) return `bin(${hex(v)})`;
  if (v instanceof BadValue) return `!(${v.what}: not an ipos value)`;
  if (Array.isArray(v)) {
    if (v.length === 0 || typeof v[0] !== "bigint") return `![${v.map(show).join(", ")}] (an array without a tag)`;
    return tagged(Number(v[0]), v.slice(1));
  }
  return `!${String(v)}`;
}

function op(v) {
  if (!Array.isArray(v) || v.length < 2) return `!malformed op ${show(v)}`;
  const code = Number(v[0]);
  const target = nodeId(v[1]);
  const f = v.slice(2);
  const pairs = (sep) => {
    const out = [];
    for (let j = 0; j + 1 < f.length; j += 2) out.push(sep(f[j], f[j + 1]));
    return out.join(", ");
  };
  const name = OPS[code] ?? `op ${code}`;
  let args;
  switch (code) {
    case 1: args = pairs((k, x) => `${show(k)}: ${show(x)}`); break;
    case 2: case 9: case 10: args = f.map(show).join(", "); break;
    case 4: args = `${f[0] === -1n ? "at end" : "at " + f[0]}: ${f.slice(1).map(show).join(", ")}`; break;
    case 5: args = pairs((ix, x) => `[${ix}] = ${show(x)}`); break;
    case 6: args = pairs((from, to) => `[${from}, ${to})`); break;
    case 8: args = `[${f.join(", ")}]`; break;
    case 12: args = `${show(f[0])}: ${show(f[1])}`; break;
    case 13: args = `${show(f[0])}: ${show(f[1])} -> ${show(f[2])}`; break;
    case 14: args = `${show(f[0])} if ${show(f[1])}`; break;
    default: args = f.map(show).join(", ");
  }
  return `${name} ${target}${args ? " " + args : ""}`;
}

function snapshot(v) {
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1])) return `!malformed ${show(v)}`;
  const counters = [];
  for (let j = 0; j + 1 < v[0].length; j += 2) counters.push(`${v[0][j]}:${v[0][j + 1]}`);
  const fields = [];
  const root = v[1].slice(2);
  for (let j = 0; j + 1 < root.length; j += 2) fields.push(`${show(root[j])}: ${show(root[j + 1])}`);
  return `counters {${counters.join(", ")}} fields {${fields.join(", ")}}`;
}

// ------------------------------------------------------------------ frames

function guessFormat(body) {
  const b = body[0];
  if (b === 0x5b || b === 0x20) return "json";
  if ((b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd) return "msgpack";
  if (b >= 0x80 && b <= 0x82) return "chronicle";
  return "msgpack";
}

function main(argv) {
  let format;
  const files = [];
  for (let j = 0; j < argv.length; j++) {
    if (argv[j] === "--format") format = argv[++j];
    else files.push(argv[j]);
  }
  if (files.length !== 1 || (format && !["msgpack", "json", "chronicle"].includes(format))) {
    console.error("usage: node decode-session.mjs [--format msgpack|json|chronicle] <capture-file>");
    return 2;
  }
  const buf = readFileSync(files[0]);
  const start = buf.indexOf(MAGIC);
  if (start < 0) {
    console.error(`${files[0]}: no ipos magic (89 49 50 4f 53 0d 0a 1a) in ${buf.length} bytes`);
    return 1;
  }
  if (start > 0) console.log(`@0 (${start} bytes before the magic: ${JSON.stringify(buf.subarray(0, start).toString("utf8"))})`);
  console.log(`@${start} MAGIC`);
  let off = start + MAGIC.length;
  while (off < buf.length) {
    if (buf.length - off < 5) {
      console.log(`@${off} !truncated frame header (${buf.length - off} of 5 bytes)`);
      return 1;
    }
    const length = buf.readUInt32BE(off);
    const type = buf[off + 4];
    if (length < 1 || off + 4 + length > buf.length) {
      console.log(`@${off} !frame of length ${length} does not fit the ${buf.length - off - 4} bytes left`);
      return 1;
    }
    const body = buf.subarray(off + 5, off + 4 + length);
    const name = FRAME_TYPES[type] ?? `type ${type}`;
    let text;
    try {
      switch (type) {
        case 1: {
          // u16 version, u64 pid, u8 n + name (UTF-8), u8 s + secret (never printed: its length only)
          const n = body[10];
          const name = body.subarray(11, 11 + n).toString("utf8");
          text = `version=${body.readUInt16BE(0)} pid=${body.readBigUInt64BE(2)} name=${JSON.stringify(name)} `
            + `secret=${body[11 + n]} bytes`;
          break;
        }
        case 2: {
          // u16 version, u32 id, u32 maxFrameBytes, u8 n + format, u8 access, u8 n + name, u16 p + p x (u32 id, u8 n + name)
          let at = 11 + body[10];
          const fmt = body.subarray(11, at).toString("ascii");
          format ??= fmt;
          const access = body[at++] === 1 ? "read-only" : "read-write";
          const name = body.subarray(at + 1, at + 1 + body[at]).toString("utf8");
          at += 1 + body[at];
          const peers = [];
          for (let i = 0, p = body.readUInt16BE(at), q = at + 2; i < p; i++) {
            const id = body.readUInt32BE(q);
            peers.push(`${id}:${body.subarray(q + 5, q + 5 + body[q + 4]).toString("utf8")}`);
            q += 5 + body[q + 4];
          }
          text = `version=${body.readUInt16BE(0)} child=${body.readUInt32BE(2)} maxFrameBytes=${body.readUInt32BE(6)} `
            + `format=${fmt} access=${access} name=${JSON.stringify(name)} peers=[${peers.join(", ")}]`;
          break;
        }
        case 13:
          text = `${body[0] === 1 ? "joined" : "left"} ${body.readUInt32BE(1)}:${body.subarray(6, 6 + body[5]).toString("utf8")}`;
          break;
        case 3:
        case 5: {
          format ??= guessFormat(body);
          if (format === "chronicle") {
            text = `(chronicle body, ${body.length} bytes: ${hex(body)})`;
            break;
          }
          const v = format === "json" ? decodeJson(body) : decodeMsgpack(body);
          text = type === 3 ? snapshot(v) : op(v);
          break;
        }
        case 4:
          text = "";
          break;
        case 6:
          text = `${body.readUInt32BE(0)}`;
          break;
        case 7:
        case 8:
          text = `token=${body.readBigUInt64BE(0)}`;
          break;
        case 9:
          text = JSON.stringify(body.toString("utf8"));
          break;
        default:
          text = `${body.length} bytes`;
      }
    } catch (e) {
      text = `!undecodable body (${e.message}): ${hex(body)}`;
    }
    console.log(`@${off} ${name}${text === "" ? "" : " " + text}`);
    off += 4 + length;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
