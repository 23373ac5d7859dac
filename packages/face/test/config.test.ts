import { describe, expect, it } from "vitest";
import { modelManifest } from "@gradphoto/vision";
import {
  calibrationVersion,
  createFaceComparer,
  FaceModelConfigSchema,
  loadModelConfig,
  procedureOf,
  resolveModelConfig,
  type Calibration,
  type FaceModelConfigInput,
} from "@gradphoto/face";
import { devPairs, face } from "./helpers.js";

const sha = modelManifest.models["face-embedding"]!.sha256;
const { config: defaults, calibration } = loadModelConfig();
const committed = calibration!;

/** The same ONNX file declared by path + sha256 under another id, fed BGR instead of RGB. */
const swapped: FaceModelConfigInput = {
  id: "swapped-mfn-bgr",
  model: { file: "faceplugin_fr_feature.onnx", sha256: sha },
  input: { ...defaults.input, channelOrder: "BGR" },
  output: defaults.output,
  flipAverage: true,
  calibration: "calibration/does-not-exist.json",
};

/** The committed mapping re-issued for another config (as `pnpm eval:face --model` would write). */
function calibrationFor(id: string, cfg: FaceModelConfigInput = swapped): Calibration {
  const procedure = procedureOf(resolveModelConfig(cfg).config);
  return { ...committed, modelId: id, procedure, version: calibrationVersion(id, sha, committed.knots) };
}

describe("model as configuration", () => {
  it("the shipped config validates and names its calibration", () => {
    expect(FaceModelConfigSchema.parse(defaults).id).toBe("faceplugin-mfn-512");
    expect(defaults.input).toMatchObject({ size: 112, channelOrder: "RGB", mean: [127, 127, 127], std: [128, 128, 128] });
    expect(defaults.output.dim).toBe(512);
  });

  it("a swapped model config is used end to end and recorded in the result", async () => {
    const pair = devPairs.find((p) => p.same)!;
    const base = await createFaceComparer();
    const other = await createFaceComparer({ model: swapped, calibration: calibrationFor("swapped-mfn-bgr") });
    const r0 = await base.compare(face(pair.a), face(pair.b));
    const r1 = await other.compare(face(pair.a), face(pair.b));
    expect(r1.modelId).toBe("swapped-mfn-bgr");
    expect(r1.calibrationVersion).toBe(calibrationVersion("swapped-mfn-bgr", sha, committed.knots));
    expect(r1.calibrationVersion).not.toBe(r0.calibrationVersion);
    expect(r1.similarity).not.toBeCloseTo(r0.similarity!, 4); // channel order really changed the input
  });

  it("refuses a calibration made for another model", async () => {
    await expect(createFaceComparer({ model: swapped, calibration: committed })).rejects.toMatchObject({ code: "CALIBRATION_INVALID" });
    await expect(createFaceComparer({ model: swapped })).rejects.toMatchObject({ code: "CALIBRATION_INVALID" });
  });

  it("refuses a calibration made with another embedding procedure", async () => {
    const rgb = calibrationFor("swapped-mfn-bgr", { ...swapped, input: { ...defaults.input } }); // RGB procedure, BGR config
    await expect(createFaceComparer({ model: swapped, calibration: rgb })).rejects.toMatchObject({ code: "CALIBRATION_INVALID" });
  });

  it("refuses a model file whose sha256 differs from the config", async () => {
    const wrong = { ...swapped, id: "wrong-sha", model: { file: "faceplugin_fr_feature.onnx", sha256: "0".repeat(64) } };
    await expect(createFaceComparer({ model: wrong, calibration: calibrationFor("wrong-sha", wrong) })).rejects.toMatchObject({ code: "MODEL_UNAVAILABLE" });
  });

  it("refuses a config whose embedding size does not match the model", async () => {
    const wrongDim = { ...swapped, id: "wrong-dim", output: { name: "output", dim: 128 } };
    await expect(createFaceComparer({ model: wrongDim, calibration: calibrationFor("wrong-dim", wrongDim) })).rejects.toMatchObject({ code: "MODEL_UNAVAILABLE" });
  });
});
