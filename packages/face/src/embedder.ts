import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createOrtSession, loadModel, modelDir, modelManifest, ort, type RgbImage } from "@gradphoto/vision";
import type { FaceModelConfig } from "./config.js";
import { FaceError } from "./errors.js";

/** Turns aligned crops into L2-normalised embeddings with one model. */
export interface Embedder {
  readonly config: FaceModelConfig;
  /** sha256 of the ONNX file (checked at load) */
  readonly modelSha256: string;
  /** embedding of an aligned `input.size`² crop, flip-averaged when configured, L2-normalised */
  embedCrop(crop: RgbImage): Promise<Float32Array>;
  /** mean of the crops' un-normalised (flip-summed) embeddings, L2-normalised */
  embedCrops(crops: readonly RgbImage[]): Promise<Float32Array>;
}

/** sha256 the config's model must have (from the vision manifest or the config itself). */
export function expectedModelSha256(config: FaceModelConfig): string {
  if ("registryId" in config.model) {
    const entry = modelManifest.models[config.model.registryId];
    if (!entry) throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型不可用：模型清单中没有 "${config.model.registryId}"`);
    return entry.sha256;
  }
  return config.model.sha256;
}

const fileSessions = new Map<string, Promise<ort.InferenceSession>>();

async function openSession(config: FaceModelConfig, dir: string): Promise<ort.InferenceSession> {
  try {
    if ("registryId" in config.model) return await loadModel(config.model.registryId, dir);
    const { file, sha256 } = config.model;
    const p = path.resolve(dir, file);
    const key = `${p}::${sha256}`;
    let s = fileSessions.get(key);
    if (!s) {
      s = (async () => {
        if (!existsSync(p)) throw new Error(`model ${file} not found in ${dir}`);
        const bytes = readFileSync(p);
        const actual = createHash("sha256").update(bytes).digest("hex");
        if (actual !== sha256) throw new Error(`model ${file} has sha256 ${actual}, expected ${sha256}`);
        return createOrtSession(bytes);
      })();
      fileSessions.set(key, s);
      s.catch(() => fileSessions.delete(key));
    }
    return await s;
  } catch (err) {
    if (err instanceof FaceError) throw err;
    throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型不可用：${(err as Error).message}`);
  }
}

export async function createEmbedder(config: FaceModelConfig, dir = modelDir()): Promise<Embedder> {
  const modelSha256 = expectedModelSha256(config);
  const session = await openSession(config, dir);
  const { size, channelOrder, mean, std, name: inputName, layout } = config.input;
  const nhwc = layout === "NHWC";
  const dims = nhwc ? [1, size, size, 3] : [1, 3, size, size];
  const { name: outputName, dim } = config.output;
  const order = channelOrder === "RGB" ? [0, 1, 2] : [2, 1, 0];
  const plane = size * size;

  function tensor(crop: RgbImage, flip: boolean): Float32Array {
    const t = new Float32Array(3 * plane);
    const d = crop.data;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const sx = flip ? size - 1 - x : x;
        const s = (y * size + sx) * 3;
        const o = y * size + x;
        if (nhwc) for (let c = 0; c < 3; c++) t[o * 3 + c] = (d[s + order[c]!]! - mean[c]!) / std[c]!;
        else for (let c = 0; c < 3; c++) t[c * plane + o] = (d[s + order[c]!]! - mean[c]!) / std[c]!;
      }
    }
    return t;
  }

  async function run(t: Float32Array): Promise<Float32Array> {
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await session.run({ [inputName]: new ort.Tensor("float32", t, dims) });
    } catch (err) {
      throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型不可用：${(err as Error).message}`);
    }
    const v = out[outputName];
    if (!v) throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型不可用：模型没有输出 "${outputName}"`);
    const data = v.data as Float32Array;
    if (data.length !== dim) throw new FaceError("MODEL_UNAVAILABLE", undefined, `人脸比对模型不可用：输出维度 ${data.length}，配置为 ${dim}`);
    return data;
  }

  // Warm-up run on a blank crop: checks the input/output names and the embedding size now, not on the first request.
  await run(new Float32Array(3 * plane));

  async function accumulate(acc: Float32Array, crop: RgbImage): Promise<void> {
    if (crop.width !== size || crop.height !== size) throw new Error(`crop must be ${size}×${size}, got ${crop.width}×${crop.height}`);
    const e = await run(tensor(crop, false));
    for (let i = 0; i < dim; i++) acc[i]! += e[i]!;
    if (config.flipAverage) {
      const f = await run(tensor(crop, true));
      for (let i = 0; i < dim; i++) acc[i]! += f[i]!;
    }
  }

  return {
    config,
    modelSha256,
    async embedCrop(crop) {
      const acc = new Float32Array(dim);
      await accumulate(acc, crop);
      return l2normalize(acc);
    },
    async embedCrops(crops) {
      const acc = new Float32Array(dim);
      for (const c of crops) await accumulate(acc, c);
      return l2normalize(acc);
    },
  };
}

export function l2normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Cosine of two L2-normalised vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
