import { describe, expect, it } from "vitest";
import {
  buildKnots,
  CalibrationSchema,
  calibrationVersion,
  fitImpostorTail,
  inverseNormalCdf,
  loadModelConfig,
  scoreFromSimilarity,
  similarityForScore,
  upperQuantile,
  type Calibration,
} from "@gradphoto/face";
import { modelManifest } from "@gradphoto/vision";

const { config, calibration } = loadModelConfig();
const committed = calibration!;

describe("committed calibration", () => {
  it("belongs to the configured model file", () => {
    expect(committed.modelId).toBe(config.id);
    expect(committed.modelSha256).toBe(modelManifest.models["face-embedding"]!.sha256);
    expect(committed.version).toBe(calibrationVersion(committed.modelId, committed.modelSha256, committed.knots));
    expect(committed.threshold).toBe(80);
  });

  it("is monotone over the whole cosine range and spans 0–100", () => {
    let prev = -Infinity;
    for (let s = -1; s <= 1.00001; s += 0.001) {
      const v = scoreFromSimilarity(committed, s);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
    expect(scoreFromSimilarity(committed, -1)).toBe(0);
    expect(scoreFromSimilarity(committed, 1)).toBe(100);
  });

  it("puts 70/80/90 on the FAR 1e-3/1e-4/1e-5 anchors", () => {
    for (const [far, score] of [[1e-3, 70], [1e-4, 80], [1e-5, 90]] as const) {
      const a = committed.anchors.find((x) => x.far === far)!;
      expect(a.score).toBe(score);
      expect(scoreFromSimilarity(committed, a.similarity)).toBeCloseTo(score, 1);
      expect(similarityForScore(committed, score)).toBeCloseTo(a.similarity, 6);
    }
  });
});

describe("calibration file validation", () => {
  const raw = JSON.parse(JSON.stringify(committed)) as Calibration;

  it("rejects knots that are not increasing", () => {
    const knots = raw.knots.map((k) => ({ ...k }));
    knots[3]!.score = knots[2]!.score;
    const bad = { ...raw, knots, version: calibrationVersion(raw.modelId, raw.modelSha256, knots) };
    expect(CalibrationSchema.safeParse(bad).success).toBe(false);
  });

  it("rejects a file whose version does not match its model sha256 and knots", () => {
    expect(CalibrationSchema.safeParse({ ...raw, version: "faceplugin-mfn-512@000000000000.00000000" }).success).toBe(false);
    const knots = raw.knots.map((k) => ({ ...k, score: k.score }));
    knots[4]!.similarity += 0.001;
    expect(CalibrationSchema.safeParse({ ...raw, knots }).success).toBe(false);
  });
});

describe("tail fit", () => {
  it("inverse normal CDF", () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 8);
    expect(inverseNormalCdf(1 - 1e-4)).toBeCloseTo(3.719, 3);
    expect(inverseNormalCdf(0.025)).toBeCloseTo(-1.96, 3);
  });

  it("recovers the quantiles of Gaussian impostors and builds monotone knots", () => {
    // Deterministic N(0.02, 0.1) sample via the inverse CDF on a grid.
    const n = 20000;
    const xs = Array.from({ length: n }, (_, i) => 0.02 + 0.1 * inverseNormalCdf((i + 0.5) / n));
    expect(upperQuantile(xs, 0.5)).toBeCloseTo(0.02, 3);
    const fit = fitImpostorTail(xs);
    expect(fit.slope).toBeCloseTo(0.1, 2);
    expect(fit.intercept).toBeCloseTo(0.02, 2);
    const { knots, anchors } = buildKnots(xs, fit);
    for (let i = 1; i < knots.length; i++) {
      expect(knots[i]!.similarity).toBeGreaterThan(knots[i - 1]!.similarity);
      expect(knots[i]!.score).toBeGreaterThan(knots[i - 1]!.score);
    }
    expect(anchors.find((a) => a.far === 1e-4)!.similarity).toBeCloseTo(0.02 + 0.1 * 3.719, 2);
  });
});
