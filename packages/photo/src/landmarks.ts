import { alignFace, loadModel, ort, type DetectedFace, type Point, type RgbImage } from "@gradphoto/vision";
import { clamp, planarTensor, resampleRegion, sampleRect, type Rect } from "./pixels.js";

/** 68-point landmarks (iBUG order) and the model outputs derived from them, in working-image pixels. */
export interface FaceLandmarks {
  points: Point[];
  /** probability each eye is open (eye-state model), [image-left eye, image-right eye] */
  eyeOpen: [number, number];
  /** eye aspect ratio per eye */
  eyeAspect: [number, number];
  /** inner-lip opening ÷ inner-mouth width */
  mouthOpen: number;
  /** head pose model, degrees */
  pose: { yaw: number; pitch: number; roll: number };
  /** geometric pose from the landmarks: yaw from nose position between the jaw sides, roll from the eye line */
  geo: { yaw: number; roll: number; pitch: number };
  /** expression probabilities: angry, disgust, fearful, happy, neutral, sad, surprised */
  expression: number[];
  /** cheek-to-cheek width (jaw points 0–16 distance), working pixels */
  faceWidth: number;
  /** mean of both eye centres */
  eyeCentre: Point;
}

export const EXPRESSIONS = ["angry", "disgust", "fearful", "happy", "neutral", "sad", "surprised"] as const;

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
const mean = (pts: Point[]): Point => ({ x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length });

function softmax(v: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  const e = Array.from({ length: v.length }, (_, i) => Math.exp(v[i]! - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function grayTensor(img: RgbImage, div: number): Float32Array {
  const n = img.width * img.height;
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) t[i] = (0.299 * img.data[i * 3]! + 0.587 * img.data[i * 3 + 1]! + 0.114 * img.data[i * 3 + 2]!) / div;
  return t;
}

async function run68(img: RgbImage, sq: Rect): Promise<Point[]> {
  const session = await loadModel("landmarks68");
  const patch = sampleRect(img, sq, 64, 64);
  const out = await session.run({ input: new ort.Tensor("float32", grayTensor(patch, 256), [1, 1, 64, 64]) });
  const v = out.output!.data as Float32Array;
  return Array.from({ length: 68 }, (_, i) => ({ x: sq.x + v[2 * i]! * sq.w, y: sq.y + v[2 * i + 1]! * sq.h }));
}

/** Probability an eye is open; `eye` = the six points of one eye (iBUG 36–41 or 42–47). */
async function eyeOpenProb(img: RgbImage, eye: Point[]): Promise<number> {
  const session = await loadModel("eye-state");
  const c = mean([eye[1]!, eye[2]!, eye[4]!, eye[5]!]);
  const side = Math.max(4, 1.6 * Math.abs(eye[3]!.x - eye[0]!.x));
  const patch = sampleRect(img, { x: c.x - side / 2, y: c.y - side / 2, w: side, h: side }, 24, 24);
  const out = await session.run({ input: new ort.Tensor("float32", grayTensor(patch, 255), [1, 1, 24, 24]) });
  return softmax(out.output!.data as Float32Array)[1]!;
}

/** The head-pose model's input: the face box grown by half, resampled to 224² (libvips thread). */
export function posePatch(img: RgbImage, box: DetectedFace["box"]): Promise<RgbImage> {
  return resampleRegion(img, { x: box.x - box.width / 4, y: box.y - box.height / 4, w: box.width * 1.5, h: box.height * 1.5 }, 224, 224, "linear");
}

async function headPose(patchP: Promise<RgbImage>): Promise<{ yaw: number; pitch: number; roll: number }> {
  const session = await loadModel("head-pose");
  const patch = await patchP;
  const out = await session.run({ input: new ort.Tensor("float32", planarTensor(patch, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), [1, 3, 224, 224]) });
  const angle = (v: Float32Array) => softmax(v).reduce((s, p, i) => s + p * i * 3, 0) - 99;
  return { yaw: angle(out.output!.data as Float32Array), pitch: angle(out["617"]!.data as Float32Array), roll: angle(out["618"]!.data as Float32Array) };
}

async function expression(img: RgbImage, face: DetectedFace): Promise<number[]> {
  const session = await loadModel("expression");
  const aligned = alignFace(img, face.landmarks, 112);
  const out = await session.run({ data: new ort.Tensor("float32", planarTensor(aligned, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), [1, 3, 112, 112]) });
  return softmax(out.label!.data as Float32Array);
}

/** Step 3: landmarks, eye state, head pose and expression of the main face. */
export async function landmarkStep(img: RgbImage, face: DetectedFace, opts: { expression?: boolean } = {}): Promise<FaceLandmarks> {
  return faceModels(img, face, await landmarkPoints(img, face), opts);
}

/**
 * Step 3a: the 68 points and everything derived from them alone (the model outputs are placeholders
 * until faceModels fills them in). The pipeline needs only this to plan the segmentation region, so the
 * segmentation can start while the eye and pose models run.
 */
export async function landmarkPoints(img: RgbImage, face: DetectedFace): Promise<FaceLandmarks> {
  const b = face.box;
  // first pass on the YuNet box, second pass on a square fitted to the first landmarks
  let side = b.height;
  let cx = b.x + b.width / 2, cy = b.y + b.height / 2;
  let points = await run68(img, { x: cx - side / 2, y: cy - side / 2, w: side, h: side });
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const bw = Math.max(...xs) - Math.min(...xs), bh = Math.max(...ys) - Math.min(...ys);
  side = clamp(Math.max(bw, bh) * 1.12, b.height * 0.8, b.height * 1.4);
  cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  cy = (Math.max(...ys) + Math.min(...ys)) / 2 - 0.04 * side;
  points = await run68(img, { x: cx - side / 2, y: cy - side / 2, w: side, h: side });

  const eyeL = points.slice(36, 42), eyeR = points.slice(42, 48);
  const ear = (e: Point[]) => (dist(e[1]!, e[5]!) + dist(e[2]!, e[4]!)) / (2 * dist(e[0]!, e[3]!) || 1);
  const mouthOpen = (dist(points[61]!, points[67]!) + dist(points[62]!, points[66]!) + dist(points[63]!, points[65]!)) / 3 / (dist(points[60]!, points[64]!) || 1);
  const cL = mean(eyeL), cR = mean(eyeR);
  const roll = (Math.atan2(cR.y - cL.y, cR.x - cL.x) * 180) / Math.PI;
  // yaw: nose bridge/tip position between the jaw sides (0.5 when frontal)
  const jl = points[0]!, jr = points[16]!;
  const noseX = (points[30]!.x + points[29]!.x + points[28]!.x) / 3;
  const rel = (noseX - jl.x) / (jr.x - jl.x || 1);
  const geoYaw = (Math.asin(clamp((rel - 0.5) * 2, -1, 1)) * 180) / Math.PI;
  // pitch proxy: nose tip height between the eye line and the chin, relative to a frontal face
  const eyeY = (cL.y + cR.y) / 2;
  const chin = points[8]!;
  const relP = (points[30]!.y - eyeY) / (chin.y - eyeY || 1);
  const geoPitch = (relP - 0.42) * 100;
  return {
    points,
    eyeOpen: [1, 1],
    eyeAspect: [ear(eyeL), ear(eyeR)],
    mouthOpen,
    pose: { yaw: 0, pitch: 0, roll: 0 },
    geo: { yaw: geoYaw, roll, pitch: geoPitch },
    expression: NEUTRAL,
    faceWidth: dist(jl, jr),
    eyeCentre: { x: (cL.x + cR.x) / 2, y: eyeY },
  };
}

const NEUTRAL = [0, 0, 0, 0, 1, 0, 0];

/**
 * Step 3b: eye state (per eye), head pose and, when asked, expression: the model outputs of the face.
 * `posePatch`: the head-pose input already being resampled (posePatch()).
 */
export async function faceModels(img: RgbImage, face: DetectedFace, lm: FaceLandmarks, opts: { expression?: boolean; posePatch?: Promise<RgbImage> } = {}): Promise<FaceLandmarks> {
  const [openL, openR, pose, expr] = await Promise.all([
    eyeOpenProb(img, lm.points.slice(36, 42)),
    eyeOpenProb(img, lm.points.slice(42, 48)),
    headPose(opts.posePatch ?? posePatch(img, face.box)),
    opts.expression === false ? Promise.resolve(NEUTRAL) : expression(img, face),
  ]);
  return { ...lm, eyeOpen: [openL, openR], pose, expression: expr };
}
