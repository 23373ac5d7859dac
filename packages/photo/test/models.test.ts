import { describe, expect, it } from "vitest";
import { loadModel, ort } from "@gradphoto/vision";
import { loadParseModel, PARSE_SIDE } from "../src/models.js";
import { OffThreadModel } from "../src/offload.js";

const random = (n: number) => {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) a[i] = ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return a;
};

describe("model variants", () => {
  it("runs the skin/clothes/hair model at 256² (patched sizes) with three sigmoid maps", async () => {
    expect(PARSE_SIDE % 128).toBe(0);
    const s = await loadParseModel();
    const n = PARSE_SIDE;
    const out = await s.run({ "x.1": new ort.Tensor("float32", random(3 * n * n), [1, 3, n, n]) });
    const t = Object.values(out)[0]!;
    expect([...t.dims]).toEqual([1, 3, n, n]);
    const d = t.data as Float32Array;
    expect(d.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("refuses a parse-model size its pyramid pooling cannot take", () => {
    expect(() => loadParseModel(300)).toThrow(/multiple of 128/);
  });

  it("gives the same PP-HumanSeg output on the worker thread as in process", async () => {
    const input = random(3 * 192 * 192);
    const local = await loadModel("person-seg");
    const ref = Object.values(await local.run({ x: new ort.Tensor("float32", input.slice(), [1, 3, 192, 192]) }))[0]!.data as Float32Array;
    const off = new OffThreadModel("person-seg");
    const got = await off.run("x", input.slice(), [1, 3, 192, 192]);
    expect(off.threaded).toBe(true);
    expect(got.dims).toEqual([1, 2, 192, 192]);
    let maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - got.data[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
