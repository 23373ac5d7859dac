/**
 * Just enough protobuf to edit ONNX model bytes in place (no schema library): walk the fields of
 * a message, and rewrite values whose encoding keeps its length. Field numbers are onnx.proto's.
 */
/** `tag` is where the field's key starts (to re-tag a field in place). */
export type FieldVisitor = (field: number, wire: number, start: number, end: number, value: number, tag: number) => void;

export function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0, shift = 0, b: number;
  do {
    if (pos >= buf.length) throw new Error("truncated protobuf varint");
    b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

/** Visits each field of the message in [start, end): varints with their value, length-delimited with their payload range. */
export function walkMessage(buf: Uint8Array, start: number, end: number, visit: FieldVisitor): void {
  let pos = start;
  while (pos < end) {
    const tag = pos;
    const [key, p1] = readVarint(buf, pos);
    const field = Math.floor(key / 8), wire = key & 7;
    pos = p1;
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      visit(field, wire, pos, p2, v, tag);
      pos = p2;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      visit(field, wire, p2, p2 + len, len, tag);
      pos = p2 + len;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
}

/** Overwrites the varint at [start, end) with `value`; the encoding must have the same length. */
export function writeVarintInPlace(buf: Uint8Array, start: number, end: number, value: number): void {
  const bytes: number[] = [];
  let v = value;
  do {
    const b = v % 128;
    v = Math.floor(v / 128);
    bytes.push(v > 0 ? b | 0x80 : b);
  } while (v > 0);
  if (bytes.length !== end - start) throw new Error(`cannot rewrite a ${end - start}-byte varint with ${value} (${bytes.length} bytes)`);
  buf.set(bytes, start);
}

// onnx.proto field numbers used here
export const MODEL_GRAPH = 7;
export const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const GRAPH_VALUE_INFO = 13;
