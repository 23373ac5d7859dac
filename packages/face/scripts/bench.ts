/**
 * Face comparison benchmark (for `pnpm bench`; run alone with `tsx packages/face/scripts/bench.ts`).
 *  - compare two already-decoded photos: median over `iterations` (target ≤ 40 ms on 2 cores);
 *  - a batch of 100 pairs read from JPEG files (read + decode + compare), photos per second.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { decodeRgb, detectFaces } from "@gradphoto/vision";
import { createFaceComparer, type FaceComparer } from "../src/comparer.js";
import { createEmbedder } from "../src/embedder.js";
import { alignedCrops } from "../src/pipeline.js";
import { facesDir, loadPairs } from "./dataset.js";

export interface FaceBenchResult {
  /** wall-clock times, and the process CPU time per compare (both threads) */
  compareDecoded: { medianMs: number; p90Ms: number; minMs: number; cpuMedianMs: number; iterations: number; targetMs: 40; parallel: boolean };
  /** the same comparison with both photos on the calling thread (parallel: false) */
  compareOneThread: { medianMs: number; minMs: number; iterations: number };
  stages: { detectMedianMs: number; analyseMedianMs: number; embedMedianMs: number };
  batch: { pairs: number; seconds: number; photosPerSecond: number; errors: number };
  /** 1-minute load average at the end (other processes make the wall-clock figures meaningless when it is above the core count) */
  loadAverage: number;
  /** median of YuNet + the embedding model (crop and mirror) alone: the inference one side of a compare cannot avoid */
  floorMs: number;
  modelId: string;
  calibrationVersion: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pctl = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const round = (x: number): number => Math.round(x * 100) / 100;

export async function benchFace(opts: { iterations?: number; batchPairs?: number; comparer?: FaceComparer } = {}): Promise<FaceBenchResult> {
  const iterations = opts.iterations ?? 50;
  const dir = facesDir();
  const comparer = opts.comparer ?? (await createFaceComparer());
  const isJpeg = (p: string) => /\.jpe?g$/i.test(p);
  const pairs = loadPairs(dir).filter((p) => isJpeg(p.a) && isJpeg(p.b));

  // 1. Two decoded photos (a same-person pair of full-size portraits).
  const first = pairs.find((p) => p.same)!;
  const [a, b] = await Promise.all([readFile(path.join(dir, first.a)).then((x) => decodeRgb(x)), readFile(path.join(dir, first.b)).then((x) => decodeRgb(x))]);
  // The default comparer (photo on a worker thread when there are 2+ cores) and one on a single
  // thread, interleaved so that both see the same load from other processes.
  const single = await createFaceComparer({ parallel: false });
  for (let i = 0; i < 5; i++) {
    await comparer.compare(a, b);
    await single.compare(a, b);
  }
  const times: number[] = [], cpu: number[] = [], one: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const c = process.cpuUsage();
    let t = performance.now();
    await comparer.compare(a, b);
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    t = performance.now();
    await single.compare(a, b);
    one.push(performance.now() - t);
  }

  // Stage timings on the same photo, and the floor: the model inference one side of a compare cannot
  // avoid (YuNet on the photo + the embedding model on an already aligned crop and its mirror), with no
  // decoding, face choice, alignment or quality measurement around it.
  const det: number[] = [], ana: number[] = [], emb: number[] = [], floor: number[] = [];
  const fa = await comparer.analyse(a, "photo");
  const embedder = await createEmbedder(comparer.config);
  const [crop] = await alignedCrops(fa, comparer.config.input.size);
  for (let i = 0; i < Math.min(iterations, 30); i++) {
    const f0 = performance.now();
    await detectFaces(a, { targetLongSide: comparer.pipeline.detectLongSide, scoreThreshold: comparer.pipeline.detectScore });
    await embedder.embedCrop(crop!);
    floor.push(performance.now() - f0);
    let t = performance.now();
    await detectFaces(a, { targetLongSide: comparer.pipeline.detectLongSide, scoreThreshold: comparer.pipeline.detectScore });
    det.push(performance.now() - t);
    t = performance.now();
    await comparer.analyse(a, "photo");
    ana.push(performance.now() - t);
    t = performance.now();
    await comparer.embedAnalysis(fa);
    emb.push(performance.now() - t);
  }

  // 2. Batch of pairs from JPEG files.
  const n = Math.min(opts.batchPairs ?? 100, pairs.length);
  const batch = Array.from({ length: n }, (_, i) => pairs[i % pairs.length]!);
  let errors = 0;
  const t0 = performance.now();
  for (const p of batch) {
    const [x, y] = await Promise.all([readFile(path.join(dir, p.a)), readFile(path.join(dir, p.b))]);
    const r = await comparer.compare(x, y);
    if (r.error) errors++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const parallel = comparer.parallel; // before close() stops the worker
  if (!opts.comparer) await comparer.close();

  return {
    compareDecoded: { medianMs: round(median(times)), p90Ms: round(pctl(times, 0.9)), minMs: round(Math.min(...times)), cpuMedianMs: round(median(cpu)), iterations, targetMs: 40, parallel },
    compareOneThread: { medianMs: round(median(one)), minMs: round(Math.min(...one)), iterations: one.length },
    stages: { detectMedianMs: round(median(det)), analyseMedianMs: round(median(ana)), embedMedianMs: round(median(emb)) },
    floorMs: round(median(floor)),
    batch: { pairs: n, seconds: round(seconds), photosPerSecond: round((2 * n) / seconds), errors },
    loadAverage: round(os.loadavg()[0]!),
    modelId: comparer.modelId,
    calibrationVersion: comparer.calibrationVersion,
  };
}

export function formatFaceBench(r: FaceBenchResult): string {
  return [
    `face compare (${r.modelId}, ${r.calibrationVersion})`,
    `  two decoded photos${r.compareDecoded.parallel ? " (photo on a worker thread, reference on this one)" : ""}: median ${r.compareDecoded.medianMs} ms, p90 ${r.compareDecoded.p90Ms} ms, best ${r.compareDecoded.minMs} ms over ${r.compareDecoded.iterations} runs (target ≤ ${r.compareDecoded.targetMs} ms); process CPU time (all threads) ${r.compareDecoded.cpuMedianMs} ms per compare`,
    `  floor (YuNet on the photo + embedding model on a ready crop and its mirror, no other work): median ${r.floorMs} ms; compare = ${(r.compareDecoded.medianMs / r.floorMs).toFixed(2)}× floor`,
    `  the same on one thread: median ${r.compareOneThread.medianMs} ms, best ${r.compareOneThread.minMs} ms over ${r.compareOneThread.iterations} runs`,
    `  stages per photo: YuNet detection ${r.stages.detectMedianMs} ms, analysis (detection + face choice) ${r.stages.analyseMedianMs} ms, align + embedding (with flip) ${r.stages.embedMedianMs} ms`,
    `  batch of ${r.batch.pairs} JPEG pairs: ${r.batch.seconds} s, ${r.batch.photosPerSecond} photos/s (${r.batch.errors} face errors)`,
    `  load average ${r.loadAverage} on ${os.cpus().length} cores`,
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  benchFace()
    .then((r) => console.log(formatFaceBench(r)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
