import { GRAPH_INITIALIZER, GRAPH_VALUE_INFO, loadModel, MODEL_GRAPH, ort, setInputSize, walkMessage } from "@gradphoto/vision";
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

/**
 * The skin/clothes/hair model (PAN, MobileNetV3) at PARSE_SIDE². The vision registry's input-size
 * rewrite is not enough for this export: it also declares every intermediate shape (value_info) and
 * bakes the 512-px feature sizes of its pyramid-pooling Resize ops into six int64 constants. Both are
 * patched on the verified bytes (resizeParseModel).
 */
export function loadParseModel(side = PARSE_SIDE): Promise<ort.InferenceSession> {
  if (side === 512) return loadModel("skin-hair-clothes");
  if (side % 128 !== 0) throw new Error("parse model side must be a multiple of 128");
  return loadModel("skin-hair-clothes", undefined, { patch: { key: `parse-side-${side}`, apply: (b) => resizeParseModel(b, side) } });
}

/** int64 constants holding 512-px feature sizes: name → indices of the spatial entries. */
const SIZE_CONSTANTS: Record<string, number[]> = { "1084": [2, 3], "1125": [2, 3], "1142": [0], "1161": [0], "1214": [0], "1244": [0] };

/**
 * Rewrites the skin/clothes/hair model for a side×side input, in place: the input's spatial dims,
 * value_info entries re-tagged as a reserved field (ONNX Runtime then infers the shapes), and the
 * size constants scaled by side/512.
 */
export function resizeParseModel(b: Uint8Array, side: number): void {
  setInputSize(b, side, side); // 512 and 128..16383 both take 2 bytes
  const dec = new TextDecoder();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let constants = 0;
  walkMessage(b, 0, b.length, (f, w, s, e) => {
    if (f !== MODEL_GRAPH || w !== 2) return;
    walkMessage(b, s, e, (gf, gw, gs, ge, _len, tag) => {
      if (gf === GRAPH_VALUE_INFO && gw === 2) b[tag] = (9 << 3) | 2; // a field ONNX does not read; same length
      if (gf !== GRAPH_INITIALIZER || gw !== 2) return;
      // TensorProto.name (8), raw_data (9)
      let name = "", raw = -1;
      walkMessage(b, gs, ge, (tf, tw, ts, te) => {
        if (tf === 8 && tw === 2) name = dec.decode(b.subarray(ts, te));
        if (tf === 9 && tw === 2) raw = ts;
      });
      const idx = SIZE_CONSTANTS[name];
      if (!idx || raw < 0) return;
      for (const i of idx) view.setBigInt64(raw + 8 * i, (view.getBigInt64(raw + 8 * i, true) * BigInt(side)) / 512n, true);
      constants++;
    });
  });
  if (constants !== Object.keys(SIZE_CONSTANTS).length) throw new Error("unexpected skin/clothes/hair model layout");
}
