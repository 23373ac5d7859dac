import { beforeAll, describe, expect, it } from "vitest";
import { decodeRgb } from "@gradphoto/vision";
import { cosine, createFaceComparer, type FaceComparer } from "@gradphoto/face";
import { devPairs, face } from "./helpers.js";

let comparer: FaceComparer;
beforeAll(async () => {
  comparer = await createFaceComparer();
});

// Chosen by label only: the first four same-person and the first four different-person pairs of
// pairs.json, in file order (not picked to pass).
const same = devPairs.filter((p) => p.same).slice(0, 4);
const different = devPairs.filter((p) => !p.same).slice(0, 4);

describe("dev-set pairs", () => {
  it.each(same)("same person: $a ~ $b scores ≥ 80", async ({ a, b }) => {
    const r = await comparer.compare(face(a), face(b));
    expect(r.error).toBeUndefined();
    expect(r.score!).toBeGreaterThanOrEqual(80);
    expect(r.passed).toBe(true);
  });

  it.each(different)("different people: $a ~ $b score < 80", async ({ a, b }) => {
    const r = await comparer.compare(face(a), face(b));
    expect(r.error).toBeUndefined();
    expect(r.score!).toBeLessThan(80);
    expect(r.passed).toBe(false);
  });
});

describe("result shape", () => {
  it("carries threshold, model id, calibration version and the raw similarity", async () => {
    const { a, b } = same[0]!;
    const r = await comparer.compare(face(a), face(b));
    expect(r.threshold).toBe(80);
    expect(r.modelId).toBe("faceplugin-mfn-512");
    expect(r.calibrationVersion).toMatch(/^faceplugin-mfn-512@87aacdfe5751\.[0-9a-f]{8}$/);
    expect(r.score).toBe(comparer.score(r.similarity!));
    expect(r.referenceNote).toBeUndefined();
  });

  it("accepts decoded images as well as buffers, with the same result", async () => {
    const { a, b } = same[1]!;
    const fromBuffers = await comparer.compare(face(a), face(b));
    const fromRgb = await comparer.compare(await decodeRgb(face(a)), await decodeRgb(face(b)));
    expect(fromRgb.score).toBe(fromBuffers.score);
  });

  it("embed() gives a unit 512-d vector; same person closer than different", async () => {
    const { a, b } = same[0]!;
    const [ea, eb, ec] = await Promise.all([comparer.embed(face(a)), comparer.embed(face(b)), comparer.embed(face(different[0]!.b))]);
    expect(ea.embedding.length).toBe(512);
    expect(cosine(ea.embedding, ea.embedding)).toBeCloseTo(1, 5);
    expect(ea.modelId).toBe("faceplugin-mfn-512");
    expect(cosine(ea.embedding, eb.embedding)).toBeGreaterThan(cosine(ea.embedding, ec.embedding));
  });
});
