import { loadModel, ort } from "./model-registry.js";
import { resizeRgb, type RgbImage } from "./image.js";

export interface Point {
  x: number;
  y: number;
}

/** One detected face in the coordinates of the image passed in. */
export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** right eye, left eye, nose tip, right mouth corner, left mouth corner (subject's right = image left) */
  landmarks: [Point, Point, Point, Point, Point];
}

export interface DetectOptions {
  /** keep faces at or above this score (OpenCV's YuNet wrapper uses 0.6, its demo 0.9) */
  scoreThreshold?: number;
  /** the image is scaled so its longer side is this many network pixels (≤ 640) */
  targetLongSide?: number;
  nmsIou?: number;
}

const MAX_INPUT = 640;
const STRIDES = [8, 16, 32] as const;

/**
 * YuNet face detection (OpenCV Zoo). The network runs at the smallest multiple of 32 that holds the
 * requested long side (the shipped model is 640×640; see onnx-input-size.ts); the image is scaled
 * to fit, placed at the top-left of a zero canvas, and the outputs are decoded as in OpenCV's
 * FaceDetectorYN::postProcess.
 */
export async function detectFaces(img: RgbImage, opts: DetectOptions = {}): Promise<DetectedFace[]> {
  const target = Math.max(32, Math.min(MAX_INPUT, Math.round(opts.targetLongSide ?? MAX_INPUT)));
  // multiple of 32 (the strides); at least 128 so the patched dims keep their encoded length
  const net = Math.max(128, Math.ceil(target / 32) * 32);
  const session = await loadModel("yunet", undefined, net === MAX_INPUT ? {} : { inputSize: [net, net] });
  const scale = target / Math.max(img.width, img.height);
  const w = Math.max(1, Math.min(net, Math.round(img.width * scale)));
  const h = Math.max(1, Math.min(net, Math.round(img.height * scale)));
  const small = w === img.width && h === img.height ? img : await resizeRgb(img, w, h);

  const out = await session.run({ input: new ort.Tensor("float32", bgrPlanar(small, net), [1, 3, net, net]) });
  const threshold = opts.scoreThreshold ?? 0.6;
  const sx = img.width / w;
  const sy = img.height / h;
  const faces: DetectedFace[] = [];
  for (const s of STRIDES) {
    const cls = out[`cls_${s}`]!.data as Float32Array;
    const obj = out[`obj_${s}`]!.data as Float32Array;
    const bbox = out[`bbox_${s}`]!.data as Float32Array;
    const kps = out[`kps_${s}`]!.data as Float32Array;
    const cols = net / s;
    for (let i = 0; i < cols * cols; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (score < threshold) continue;
      const col = i % cols;
      const row = Math.floor(i / cols);
      const cx = (col + bbox[i * 4]!) * s;
      const cy = (row + bbox[i * 4 + 1]!) * s;
      const bw = Math.exp(bbox[i * 4 + 2]!) * s;
      const bh = Math.exp(bbox[i * 4 + 3]!) * s;
      const lm = [0, 1, 2, 3, 4].map((k) => ({ x: (kps[i * 10 + 2 * k]! + col) * s * sx, y: (kps[i * 10 + 2 * k + 1]! + row) * s * sy }));
      faces.push({
        box: { x: (cx - bw / 2) * sx, y: (cy - bh / 2) * sy, width: bw * sx, height: bh * sy },
        score,
        landmarks: lm as DetectedFace["landmarks"],
      });
    }
  }
  return nms(faces, opts.nmsIou ?? 0.3);
}

/**
 * YuNet's input: BGR planar float, raw 0–255, zero padding right and bottom. Its own function: inside
 * detectFaces this loop was optimised on the stack and deoptimised when the outputs were read.
 */
function bgrPlanar(small: RgbImage, net: number): Float32Array {
  const { width: w, height: h, data: d } = small;
  const plane = net * net;
  const tensor = new Float32Array(3 * plane);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const t = y * net + x;
      tensor[t] = d[s + 2]!;
      tensor[plane + t] = d[s + 1]!;
      tensor[2 * plane + t] = d[s]!;
    }
  }
  return tensor;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function iou(a: DetectedFace["box"], b: DetectedFace["box"]): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

function nms(faces: DetectedFace[], threshold: number): DetectedFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const f of sorted) if (kept.every((k) => iou(k.box, f.box) <= threshold)) kept.push(f);
  return kept;
}
