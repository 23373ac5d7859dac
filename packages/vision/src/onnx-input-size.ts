import { GRAPH_INPUT, MODEL_GRAPH, walkMessage, writeVarintInPlace } from "./onnx-proto.js";

/**
 * Rewrites the height and width (last two dims) of the model's first input, in place.
 *
 * YuNet ships with a fixed 640×640 input, but it is fully convolutional and its reshapes use −1,
 * so it runs at any multiple of 32 (OpenCV's FaceDetectorYN does the same with setInputSize). A
 * face photo scaled to 320 then costs a 320×320 pass (¼ of the work) instead of a 640 canvas that
 * is three-quarters padding. Sizes from 128 to 16383 keep the 2-byte varint of 640, so the file's
 * layout does not change; ONNX Runtime re-infers every other shape (its warnings about the
 * declared output shapes are expected).
 */
export function setInputSize(model: Uint8Array, height: number, width: number): void {
  let patched = false;
  walkMessage(model, 0, model.byteLength, (f, w, s, e) => {
    if (f !== MODEL_GRAPH || w !== 2) return;
    walkMessage(model, s, e, (gf, gw, gs, ge) => {
      if (gf !== GRAPH_INPUT || gw !== 2 || patched) return;
      patched = true;
      // ValueInfoProto.type (2) → TypeProto.tensor_type (1) → shape (2) → dim (1)* → dim_value (1)
      const dims: Array<[number, number]> = [];
      const child = (s0: number, e0: number, field: number, then: (s1: number, e1: number) => void): void =>
        walkMessage(model, s0, e0, (cf, cw, cs, ce) => {
          if (cf === field && cw === 2) then(cs, ce);
        });
      child(gs, ge, 2, (ts, te) =>
        child(ts, te, 1, (tts, tte) =>
          child(tts, tte, 2, (ss, se) =>
            child(ss, se, 1, (ds, de) =>
              walkMessage(model, ds, de, (xf, xw, xs, xe) => {
                if (xf === 1 && xw === 0) dims.push([xs, xe]);
              }),
            ),
          ),
        ),
      );
      if (dims.length < 2) throw new Error("model input has no fixed spatial dims to rewrite");
      const [h, wd] = [dims[dims.length - 2]!, dims[dims.length - 1]!];
      writeVarintInPlace(model, h[0], h[1], height);
      writeVarintInPlace(model, wd[0], wd[1], width);
    });
  });
  if (!patched) throw new Error("model has no graph input");
}
