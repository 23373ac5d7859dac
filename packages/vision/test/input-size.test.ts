import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRgb, detectFaces, flushDenormalWeights, modelDir, modelManifest } from "@gradphoto/vision";
import { setInputSize } from "../src/onnx-input-size.js";
import { readVarint, walkMessage } from "../src/onnx-proto.js";
import { testdataDir } from "@gradphoto/testkit";

const faces = testdataDir("faces");
const yunet = () => readFileSync(path.join(modelDir(), modelManifest.models.yunet!.file));

describe("ONNX byte edits", () => {
  it("rewrites YuNet's input to 320×320 and nothing else", () => {
    const orig = yunet();
    const patched = Uint8Array.from(orig);
    setInputSize(patched, 320, 320);
    const diff = [...patched].flatMap((b, i) => (b === orig[i] ? [] : [i]));
    expect(diff.length).toBeGreaterThan(0);
    expect(diff.length).toBeLessThanOrEqual(4); // two 2-byte varints
    for (const i of diff) expect(readVarint(patched, i - (patched[i - 1]! & 0x80 ? 1 : 0))[0]).toBe(320);
  });

  it("refuses a size whose encoding would move the file's bytes", () => {
    expect(() => setInputSize(Uint8Array.from(yunet()), 64, 64)).toThrow(/varint/);
  });

  it("flushes only subnormal floats of FLOAT initializers", () => {
    const file = path.join(modelDir(), modelManifest.models["face-embedding"]!.file);
    const bytes = readFileSync(file);
    const n = flushDenormalWeights(bytes);
    expect(n).toBeGreaterThan(0);
    expect(flushDenormalWeights(bytes)).toBe(0); // idempotent: none left
    let fields = 0;
    walkMessage(bytes, 0, bytes.length, () => fields++); // still a well-formed message
    expect(fields).toBeGreaterThan(0);
  });
});

describe("YuNet at a reduced input size", () => {
  it("finds the same single faces at 320 as when the 320-px image sits on the 640 canvas", async () => {
    const manifest = JSON.parse(readFileSync(path.join(faces, "manifest.json"), "utf8")) as { files: Array<{ path: string; labels: { faces: number } }> };
    const singles = manifest.files.filter((f) => f.labels.faces === 1 && /\.jpe?g$/i.test(f.path)).slice(0, 12);
    let compared = 0;
    for (const f of singles) {
      const img = await decodeRgb(readFileSync(path.join(faces, f.path)), { maxSide: 320 });
      const onCanvas = await detectFaces(img, { targetLongSide: 640, scoreThreshold: 0.7 }); // no rescale: 320 px image, 640 net
      const small = await detectFaces(img, { targetLongSide: 320, scoreThreshold: 0.7 });
      if (!onCanvas[0]) continue;
      compared++;
      expect(small.length, f.path).toBe(onCanvas.length);
      // Not bit-identical (border effects of the convolutions): the same face, boxes overlapping
      // (IoU ≥ 0.75) and landmarks within 10 % of the face width on average. Whether that moves
      // comparison scores is measured by `pnpm eval:face`, not here.
      const [a, b] = [small[0]!, onCanvas[0]!];
      expect(iou(a.box, b.box), f.path).toBeGreaterThan(0.75);
      const lmError = a.landmarks.reduce((s, p, k) => s + Math.hypot(p.x - b.landmarks[k]!.x, p.y - b.landmarks[k]!.y), 0) / 5;
      expect(lmError / b.box.width, f.path).toBeLessThan(0.1);
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });
});

function iou(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}
