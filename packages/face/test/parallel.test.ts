import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRgb } from "@gradphoto/vision";
import { createFaceComparer, type FaceComparer } from "@gradphoto/face";
import { devPairs, face } from "./helpers.js";

// The photo of a comparison runs on a worker thread (its own ONNX sessions); the result must be
// exactly what one thread gives.
let parallel: FaceComparer, single: FaceComparer;
beforeAll(async () => {
  [parallel, single] = await Promise.all([createFaceComparer({ parallel: true }), createFaceComparer({ parallel: false })]);
});
afterAll(async () => {
  await parallel.close();
});

const pairs = [...devPairs.filter((p) => p.same).slice(4, 6), ...devPairs.filter((p) => !p.same).slice(4, 6)];

describe("photo on a worker thread", () => {
  it("starts the worker", () => {
    expect(parallel.parallel).toBe(true);
    expect(single.parallel).toBe(false);
  });

  it.each(pairs)("same similarity as one thread: $a ~ $b", async ({ a, b }) => {
    const [p, s] = await Promise.all([parallel.compare(face(a), face(b)), single.compare(face(a), face(b))]);
    expect(p.error).toBeUndefined();
    expect(p.similarity!).toBeCloseTo(s.similarity!, 6);
    expect(p.score).toBe(s.score);
  });

  it("takes decoded images and overlapping calls", async () => {
    const { a, b } = pairs[0]!;
    const [ra, rb] = await Promise.all([decodeRgb(face(a)), decodeRgb(face(b))]);
    const results = await Promise.all([parallel.compare(ra, rb), parallel.compare(face(a), face(b)), parallel.compare(rb, ra)]);
    expect(results[0]!.similarity!).toBeCloseTo(results[1]!.similarity!, 6);
    expect(results[2]!.score).not.toBeNull();
    expect(ra.data.length).toBe(ra.width * ra.height * 3); // the caller's pixels are copied, not moved
  });

  it("reports the photo's and the reference's errors as structured results", async () => {
    const { a } = pairs[0]!;
    const p = await parallel.compare(Buffer.from("not an image"), face(a));
    expect(p).toMatchObject({ score: null, passed: false, error: { code: "INVALID_IMAGE", image: "photo" } });
    const r = await parallel.compare(face(a), Buffer.from("not an image"));
    expect(r).toMatchObject({ score: null, passed: false, error: { code: "INVALID_IMAGE", image: "reference" } });
    // still usable afterwards
    expect((await parallel.compare(face(a), face(a))).score).toBeGreaterThanOrEqual(80);
  });

  it("falls back to one thread after close()", async () => {
    const c = await createFaceComparer({ parallel: true });
    const { a, b } = pairs[1]!;
    const before = await c.compare(face(a), face(b));
    await c.close();
    expect(c.parallel).toBe(false);
    const after = await c.compare(face(a), face(b));
    expect(after.similarity!).toBeCloseTo(before.similarity!, 6);
  });
});
