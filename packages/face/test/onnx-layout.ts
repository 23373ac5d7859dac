import { walkMessage } from "@gradphoto/vision";

/**
 * Test helper: the same ONNX model taking NHWC input. A Transpose node ([1,S,S,3] → [1,3,S,S]) is put
 * in front of the graph and the graph input replaced; every weight is unchanged, so the embeddings
 * must be the same as the original's when fed the same pixels in the other layout.
 */
export function nhwcVariant(model: Uint8Array, inputName: string, size: number): Uint8Array {
  const newInput = `${inputName}_nhwc`;
  const out: Uint8Array[] = [];
  walkFields(model, 0, model.length, (field, raw, payload) => {
    if (field !== 7) return out.push(raw);
    const graph: Uint8Array[] = [
      ld(1, node(newInput, inputName, [0, 3, 1, 2])),
      ld(11, valueInfo(newInput, [1, size, size, 3])),
    ];
    walkFields(payload, 0, payload.length, (f, r, p) => {
      if (f === 11 && nameOf(p) === inputName) return; // the old input is now the Transpose's output
      graph.push(r);
    });
    out.push(ld(7, concat(graph)));
  });
  return concat(out);
}

type Visit = (field: number, raw: Uint8Array, payload: Uint8Array) => void;

/** Every field with its raw bytes (key included) and, for length-delimited ones, the payload. */
function walkFields(buf: Uint8Array, start: number, end: number, visit: Visit): void {
  let prevEnd = start;
  walkMessage(buf, start, end, (field, wire, s, e, _v, tag) => {
    if (tag !== prevEnd) throw new Error("fixed-width fields are not expected in ModelProto/GraphProto");
    visit(field, buf.subarray(tag, e), wire === 2 ? buf.subarray(s, e) : new Uint8Array());
    prevEnd = e;
  });
  if (prevEnd !== end) throw new Error("unparsed bytes at the end of a message");
}

function nameOf(valueInfo: Uint8Array): string | undefined {
  let name: string | undefined;
  walkMessage(valueInfo, 0, valueInfo.length, (f, w, s, e) => {
    if (f === 1 && w === 2) name = new TextDecoder().decode(valueInfo.subarray(s, e));
  });
  return name;
}

function varint(v: number): Uint8Array {
  const b: number[] = [];
  do {
    const x = v % 128;
    v = Math.floor(v / 128);
    b.push(v > 0 ? x | 0x80 : x);
  } while (v > 0);
  return Uint8Array.from(b);
}
const concat = (parts: Uint8Array[]): Uint8Array => {
  const o = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) o.set(p, (k += p.length) - p.length);
  return o;
};
const ld = (field: number, payload: Uint8Array): Uint8Array => concat([varint(field * 8 + 2), varint(payload.length), payload]);
const vi = (field: number, v: number): Uint8Array => concat([varint(field * 8), varint(v)]);
const str = (field: number, s: string): Uint8Array => ld(field, new TextEncoder().encode(s));

/** NodeProto: Transpose(input) → output with attribute perm (AttributeProto type INTS = 7). */
function node(input: string, output: string, perm: number[]): Uint8Array {
  const attr = concat([str(1, "perm"), ...perm.map((p) => vi(8, p)), vi(20, 7)]);
  return concat([str(1, input), str(2, output), str(3, "to_nchw"), str(4, "Transpose"), ld(5, attr)]);
}

/** ValueInfoProto of a float tensor with fixed dims. */
function valueInfo(name: string, dims: number[]): Uint8Array {
  const shape = concat(dims.map((d) => ld(1, vi(1, d))));
  const tensor = concat([vi(1, 1), ld(2, shape)]);
  return concat([str(1, name), ld(2, ld(1, tensor))]);
}
