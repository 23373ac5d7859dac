import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createOrtSession, loadModel, ModelError, modelDir, modelManifest, ort } from "@gradphoto/vision";
import { personSegModel } from "./offload.js";

// onnxruntime prints graph-cleanup warnings for two of the models; they are harmless.
ort.env.logLevel = "error";

/**
 * Models every photo needs on the main thread; PP-HumanSeg runs on a worker (offload.ts), the
 * skin/clothes/hair model at 256² (loadParseModel), the expression model only when its check is on.
 */
export const PHOTO_MODELS = ["yunet", "landmarks68", "eye-state", "head-pose"] as const;

/**
 * Input side of the skin/clothes/hair model. It ships at 512² (36 ms); at 256² it costs 12 ms and its
 * maps serve the checks and the matte as well (docs/photo-spec.md, "Speed"). Must be a multiple of 128
 * (its pyramid pooling halves the 1/16 feature map three times).
 */
export const PARSE_SIDE = 256;

/** Loads (and sha256-verifies) every model the pipeline uses, once per process. */
export async function loadPhotoModels(opts: { expression?: boolean } = {}): Promise<void> {
  await Promise.all([...PHOTO_MODELS.map((id) => loadModel(id)), loadParseModel(), personSegModel.load(), ...(opts.expression ? [loadModel("expression")] : [])]);
}

let parseSession: Promise<ort.InferenceSession> | undefined;

/**
 * The skin/clothes/hair model (PAN, MobileNetV3) at PARSE_SIDE². The vision registry's input-size
 * rewrite is not enough for this export: it also declares every intermediate shape (value_info) and
 * bakes the 512-px feature sizes of its pyramid-pooling Resize ops into six int64 constants. Both are
 * patched here on the verified bytes: value_info entries are re-tagged as a reserved field (ONNX
 * Runtime then infers the shapes), and the size constants are scaled by side/512.
 */
export function loadParseModel(side = PARSE_SIDE): Promise<ort.InferenceSession> {
  if (side === 512) return loadModel("skin-hair-clothes");
  if (side % 128 !== 0) throw new Error("parse model side must be a multiple of 128");
  if (!parseSession) {
    parseSession = (async () => {
      const m = modelManifest.models["skin-hair-clothes"]!;
      const dir = modelDir();
      const p = path.join(dir, m.file);
      if (!existsSync(p)) throw new ModelError("MODEL_MISSING", `model ${m.file} not found in ${dir}; set MODEL_DIR or download it from ${m.url} (sha256 ${m.sha256})`);
      const bytes = new Uint8Array(readFileSync(p));
      const actual = createHash("sha256").update(bytes).digest("hex");
      if (actual !== m.sha256) throw new ModelError("MODEL_CHECKSUM", `model ${m.file} has sha256 ${actual}, expected ${m.sha256}; re-download it from ${m.url}`);
      resizeParseModel(bytes, side);
      return createOrtSession(bytes);
    })();
    parseSession.catch(() => (parseSession = undefined));
  }
  return parseSession;
}

// ---- minimal protobuf editing (onnx.proto field numbers) ----

function varint(b: Uint8Array, pos: number): [number, number] {
  let v = 0, shift = 0, x: number;
  do {
    x = b[pos++]!;
    v += (x & 0x7f) * 2 ** shift;
    shift += 7;
  } while (x & 0x80);
  return [v, pos];
}

/** Calls visit(field, wire, tagPos, start, end) for each field of the message in [start, end). */
function fields(b: Uint8Array, start: number, end: number, visit: (field: number, wire: number, tag: number, s: number, e: number) => void): void {
  let pos = start;
  while (pos < end) {
    const tag = pos;
    const [key, p1] = varint(b, pos);
    const field = Math.floor(key / 8), wire = key & 7;
    pos = p1;
    if (wire === 0) {
      const p2 = varint(b, pos)[1];
      visit(field, wire, tag, pos, p2);
      pos = p2;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, p2] = varint(b, pos);
      visit(field, wire, tag, p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function writeVarint(b: Uint8Array, s: number, e: number, value: number): void {
  for (let i = s, v = value; i < e; i++, v = Math.floor(v / 128)) b[i] = (v % 128) | (i < e - 1 ? 0x80 : 0);
}

/** int64 constants holding 512-px feature sizes: name → indices of the spatial entries. */
const SIZE_CONSTANTS: Record<string, number[]> = { "1084": [2, 3], "1125": [2, 3], "1142": [0], "1161": [0], "1214": [0], "1244": [0] };

/** Rewrites the skin/clothes/hair model for a side×side input, in place (see loadParseModel). */
export function resizeParseModel(b: Uint8Array, side: number): void {
  const dec = new TextDecoder();
  let inputDone = false, constants = 0;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  fields(b, 0, b.length, (f, w, _t, s, e) => {
    if (f !== 7 || w !== 2) return; // ModelProto.graph
    fields(b, s, e, (gf, gw, gt, gs, ge) => {
      if (gf === 13 && gw === 2) b[gt] = (9 << 3) | 2; // value_info → reserved field 9 (ignored)
      if (gf === 11 && gw === 2 && !inputDone) {
        // input ValueInfo.type(2).tensor_type(1).shape(2).dim(1)*.dim_value(1)
        inputDone = true;
        const dims: Array<[number, number]> = [];
        fields(b, gs, ge, (a, aw, _x, as, ae) => a === 2 && aw === 2 && fields(b, as, ae, (c, cw, _y, cs, ce) => c === 1 && cw === 2 && fields(b, cs, ce, (d, dw, _z, ds, de) => d === 2 && dw === 2 && fields(b, ds, de, (g, gw2, _u, xs, xe) => g === 1 && gw2 === 2 && fields(b, xs, xe, (h, hw, _v, hs, he) => { if (h === 1 && hw === 0) dims.push([hs, he]); })))));
        for (const [ds, de] of dims.slice(-2)) writeVarint(b, ds, de, side); // 512 and 128..16383 both take 2 bytes
      }
      if (gf === 5 && gw === 2) {
        let name = "", rs = -1;
        fields(b, gs, ge, (tf, tw, _x, ts, te) => {
          if (tf === 8 && tw === 2) name = dec.decode(b.subarray(ts, te));
          if (tf === 9 && tw === 2) rs = ts;
        });
        const idx = SIZE_CONSTANTS[name];
        if (idx && rs >= 0) {
          for (const i of idx) view.setBigInt64(rs + 8 * i, (view.getBigInt64(rs + 8 * i, true) * BigInt(side)) / 512n, true);
          constants++;
        }
      }
    });
  });
  if (!inputDone || constants !== Object.keys(SIZE_CONSTANTS).length) throw new Error("unexpected skin/clothes/hair model layout");
}
