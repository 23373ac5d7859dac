import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assertCardCalibrated,
  calibrateFace,
  cosine,
  createFaceComparer,
  DEFAULT_MODEL_CONFIG_PATH,
  ModelCardSchema,
  readModelCard,
  writeModelCard,
  type ModelCard,
} from "@gradphoto/face";
import { modelDir } from "@gradphoto/vision";
import { devPairs, face, facesDir } from "./helpers.js";
import { nhwcVariant } from "./onnx-layout.js";

const shipped = readModelCard(DEFAULT_MODEL_CONFIG_PATH);
const tmp = mkdtempSync(path.join(os.tmpdir(), "face-card-"));

/** A labelled subset of the dev pairs (absolute paths): enough people for a few hundred impostor pairs. */
function subsetPairsFile(): string {
  const images = [...new Set(devPairs.flatMap((p) => [p.a, p.b]))].slice(0, 45);
  const keep = new Set(images);
  const pairs = devPairs.filter((p) => keep.has(p.a) && keep.has(p.b)).map((p) => ({ a: path.join(facesDir, p.a), b: path.join(facesDir, p.b), same: p.same }));
  const file = path.join(tmp, "pairs.json");
  writeFileSync(file, JSON.stringify(pairs));
  return file;
}

describe("model card validation", () => {
  it("the bundled model's card is valid, calibrated, and names its licence", () => {
    expect(shipped).toMatchObject({ id: "faceplugin-mfn-512", file: "faceplugin_fr_feature.onnx", input: { shape: [1, 3, 112, 112], layout: "NCHW", channelOrder: "RGB" }, embedding: { size: 512, flipAverage: true } });
    expect(shipped.licence).toMatch(/MIT/);
    expect(assertCardCalibrated(DEFAULT_MODEL_CONFIG_PATH).calibration.version).toBe("faceplugin-mfn-512@87aacdfe5751.ef0ec315");
  });

  it("refuses inconsistent cards with the field named", () => {
    const bad = (patch: (c: ModelCard) => unknown) => ModelCardSchema.safeParse(patch(structuredClone(shipped)));
    expect(bad((c) => ({ ...c, input: { ...c.input, layout: "NHWC" } })).error?.issues[0]?.message).toMatch(/3 channels/);
    expect(bad((c) => ({ ...c, alignment: { ...c.alignment, cropSize: 128 } })).error?.issues[0]?.message).toMatch(/does not match the alignment crop/);
    expect(bad((c) => ({ ...c, id: "other-model" })).error?.issues[0]?.path).toEqual(["calibration"]);
    expect(bad((c) => ({ ...c, licence: "" })).success).toBe(false);
    expect(bad((c) => ({ ...c, sha256: "abc" })).success).toBe(false);
    expect(bad((c) => ({ ...c, extra: 1 })).success).toBe(false);
  });

  it("a card without calibration is refused by the comparer and by the startup check", async () => {
    const file = path.join(tmp, "uncalibrated.card.json");
    writeModelCard(file, { ...shipped, calibration: null });
    expect(() => assertCardCalibrated(file)).toThrow(/no calibration: run gradphoto calibrate-face/);
    await expect(createFaceComparer({ model: file, parallel: false })).rejects.toMatchObject({ code: "CALIBRATION_INVALID" });
  });
});

describe("calibration round trip and a second card with another input layout", () => {
  let pairsFile: string;
  let nhwcCard: string;
  let plainCard: string;
  beforeAll(() => {
    pairsFile = subsetPairsFile();
    // the same weights taking NHWC input, made here (never committed), in a model folder of its own
    const bytes = nhwcVariant(new Uint8Array(readFileSync(path.join(modelDir(), shipped.file))), shipped.input.name, 112);
    writeFileSync(path.join(tmp, "fr_nhwc.onnx"), bytes);
    const sha = createHash("sha256").update(bytes).digest("hex");
    nhwcCard = path.join(tmp, "nhwc.card.json");
    writeModelCard(nhwcCard, { ...shipped, id: "faceplugin-mfn-512-nhwc", file: "fr_nhwc.onnx", sha256: sha, input: { ...shipped.input, name: "input_nhwc", shape: [1, 112, 112, 3], layout: "NHWC" }, calibration: null });
    plainCard = path.join(tmp, "plain.card.json");
    writeModelCard(plainCard, { ...shipped, calibration: null });
    copyFileSync(path.join(modelDir(), shipped.file), path.join(tmp, shipped.file));
  });

  it("calibrate-face writes a mapping with 80 at the requested FAR, which the comparer then uses", async () => {
    const { report } = await calibrateFace({ card: plainCard, pairsFile, far: 1e-3, modelDir: tmp });
    expect(report.identities).toBeGreaterThan(5);
    expect(report.impostorComparisons).toBeGreaterThan(300);
    // every cross-identity pair, not only the listed ones
    expect(report.impostorComparisons).toBeGreaterThan(JSON.parse(readFileSync(pairsFile, "utf8")).filter((p: { same: boolean }) => !p.same).length);
    expect(report.extrapolated).toBe(report.impostorComparisons < 3000);
    expect(report.bootstrapScore90[0]).toBeLessThanOrEqual(report.bootstrapScore90[1]);
    const card = readModelCard(plainCard);
    expect(card.calibration!.version).toBe(report.version);
    expect(card.calibration!.anchors.find((a) => a.far === 1e-3)).toMatchObject({ score: 80, similarity: report.similarityAt80 });
    const comparer = await createFaceComparer({ model: plainCard, modelDir: tmp, parallel: false });
    expect(comparer.calibrationVersion).toBe(report.version);
    expect(comparer.score(report.similarityAt80)).toBe(80);
    expect(comparer.score(report.similarityAt80 - 0.01)).toBeLessThan(80);
  }, 120_000);

  it("the NHWC card gives the same embeddings, and the same calibration for its own sha256", async () => {
    const a = await createFaceComparer({ model: DEFAULT_MODEL_CONFIG_PATH, parallel: false });
    const pair = devPairs.find((p) => p.same)!;
    // a card that misdescribes the model's input is refused at load (the warm-up run checks it)
    const wrong = path.join(tmp, "wrong-input.card.json");
    writeModelCard(wrong, { ...readModelCard(nhwcCard), input: { ...shipped.input } });
    await expect(createFaceComparer({ model: wrong, modelDir: tmp, parallel: false, calibration: shipped.calibration! })).rejects.toMatchObject({ code: "MODEL_UNAVAILABLE" });
    // not calibrated yet: refused
    await expect(createFaceComparer({ model: nhwcCard, modelDir: tmp, parallel: false })).rejects.toMatchObject({ code: "CALIBRATION_INVALID" });
    const { report } = await calibrateFace({ card: nhwcCard, pairsFile, far: 1e-3, modelDir: tmp });
    const b = await createFaceComparer({ model: nhwcCard, modelDir: tmp, parallel: false });
    for (const f of [pair.a, pair.b]) {
      const ea = await a.embed(face(f)), eb = await b.embed(face(f));
      expect(cosine(ea.embedding, eb.embedding)).toBeGreaterThan(0.99999);
    }
    expect(b.modelId).toBe("faceplugin-mfn-512-nhwc");
    const plain = readModelCard(plainCard).calibration!;
    const nhwc = readModelCard(nhwcCard).calibration!;
    expect(nhwc.knots).toEqual(plain.knots); // same similarities → same fit
    expect(nhwc.version).not.toBe(plain.version); // tied to its own file
    expect(report.version).toBe(nhwc.version);
    const r = await b.compare(face(pair.a), face(pair.b));
    expect(r.similarity).toBeCloseTo((await a.compare(face(pair.a), face(pair.b))).similarity!, 4);
  }, 120_000);
});
