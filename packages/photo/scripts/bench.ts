/**
 * Photo pipeline benchmark (the lead wires benchPhoto() into `pnpm bench`; also runnable directly:
 * `npx tsx packages/photo/scripts/bench.ts`). Prints medians of ≥ 20 runs for standardize() and
 * check() on a 12 MP phone-sized JPEG, the floor measured in the same run (sharp decode + resize +
 * encode of the same file) and the ratio, then the peak RSS over 100 sequential photos (also, for
 * information, in a child process started with MALLOC_ARENA_MAX=2).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import sharp from "sharp";
import { check, loadPhotoModels, standardize } from "../src/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface PhotoBenchResult {
  runs: number;
  standardizeMs: number;
  checkMs: number;
  floorMs: number;
  ratioStandardize: number;
  ratioCheck: number;
  peakRssMb: number;
  /** the same RSS loop in a child process started with MALLOC_ARENA_MAX=2 (when this one has it unset) */
  peakRssArena2Mb?: number;
  photosForRss: number;
  stepsMs: Record<string, number>;
  /** a 12 MP frame around a small face (informational; see benchPhoto) */
  smallFace?: { standardizeMs: number; checkMs: number; faceWidthPx: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchPhoto(opts: { runs?: number; rssPhotos?: number; log?: (s: string) => void } = {}): Promise<PhotoBenchResult> {
  const runs = opts.runs ?? 20;
  const rssPhotos = opts.rssPhotos ?? 100;
  const log = opts.log ?? ((s: string) => console.log(s));
  const faces = process.env.FACES_DIR ?? path.resolve(here, "../../../../shared/testdata/faces");
  const manifest = JSON.parse(readFileSync(path.join(faces, "manifest.json"), "utf8")) as {
    files: Array<{ path: string; width: number; height: number; labels: { expected_compliant: boolean; framing: string; color: string } }>;
  };
  // a 12 MP phone-sized JPEG (4000×3000) made by upscaling a dev-set portrait (the largest labelled-compliant
  // colour portraits first, the first one the pipeline turns into a photo), in a temp dir
  const candidates = manifest.files
    .filter((f) => f.labels.expected_compliant && f.labels.framing === "portrait" && f.labels.color === "color")
    .sort((a, b) => b.width * b.height - a.width * a.height);
  const dir = mkdtempSync(path.join(tmpdir(), "gradphoto-bench-"));
  const bigPath = path.join(dir, "12mp.jpg");
  await loadPhotoModels();
  let big: Buffer | undefined, portrait = "";
  for (const c of candidates) {
    const buf = await sharp(readFileSync(path.join(faces, c.path))).resize(4000, 3000, { fit: "cover", position: "top", kernel: "lanczos3" }).jpeg({ quality: 90 }).toBuffer();
    if ((await standardize(buf)).image) {
      big = buf;
      portrait = c.path;
      break;
    }
  }
  if (!big) throw new Error("no dev-set portrait could be standardised");
  writeFileSync(bigPath, big);
  log(`photo bench: ${bigPath} (4000×3000, ${(big.length / 1048576).toFixed(1)} MB, from ${portrait}); ${runs} runs each; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? "unset"}`);

  // warm-up (JIT, model sessions, libvips caches)
  for (let i = 0; i < 3; i++) {
    await standardize(big);
    await check(big);
    await sharp(big).resize(480, 640).jpeg().toBuffer();
  }
  const tStd: number[] = [], tChk: number[] = [], tFloor: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    // interleaved so that load from other processes hits all three alike
    let t = performance.now();
    await sharp(big).resize(480, 640).jpeg().toBuffer();
    tFloor.push(performance.now() - t);
    t = performance.now();
    const r = await standardize(big);
    tStd.push(performance.now() - t);
    for (const [k, v] of Object.entries(r.report.timings)) (steps[k] ??= []).push(v);
    t = performance.now();
    await check(big);
    tChk.push(performance.now() - t);
  }
  const res: PhotoBenchResult = {
    runs,
    standardizeMs: median(tStd),
    checkMs: median(tChk),
    floorMs: median(tFloor),
    ratioStandardize: median(tStd) / median(tFloor),
    ratioCheck: median(tChk) / median(tFloor),
    peakRssMb: 0,
    photosForRss: rssPhotos,
    stepsMs: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
  };
  log(`standardize 12 MP: median ${res.standardizeMs.toFixed(1)} ms   (target ≤ 150 ms)`);
  log(`check 12 MP:       median ${res.checkMs.toFixed(1)} ms   (target ≤ 60 ms)`);
  log(`floor (sharp decode+resize+encode of the same file): median ${res.floorMs.toFixed(1)} ms`);
  log(`ratio: standardize ${res.ratioStandardize.toFixed(1)}× floor, check ${res.ratioCheck.toFixed(1)}× floor`);
  log(`standardize steps (median ms): ${Object.entries(res.stepsMs).map(([k, v]) => `${k} ${v}`).join(", ")}`);

  // informational: a 12 MP photo whose face is small (the same portrait placed in a 3000×4000 frame, as
  // a half-length photo taken from further away): its working copy is decoded a second time with more
  // pixels (see finerWorkSide in pipeline.ts), which costs a decode and a detection
  const src = readFileSync(path.join(faces, portrait));
  const sm = await sharp(src).metadata();
  const left = Math.round((3000 - sm.width!) / 2), top = Math.max(0, 4000 - sm.height! - 600);
  const far = await sharp(src).extend({ left, right: 3000 - sm.width! - left, top, bottom: 4000 - sm.height! - top, extendWith: "copy" }).jpeg({ quality: 92 }).toBuffer();
  const tFarStd: number[] = [], tFarChk: number[] = [];
  for (let i = 0; i < 2; i++) await standardize(far);
  for (let i = 0; i < Math.max(5, runs >> 1); i++) {
    let t = performance.now();
    await standardize(far);
    tFarStd.push(performance.now() - t);
    t = performance.now();
    await check(far);
    tFarChk.push(performance.now() - t);
  }
  res.smallFace = { standardizeMs: median(tFarStd), checkMs: median(tFarChk), faceWidthPx: (await check(far)).source?.faceWidthPx ?? 0 };
  log(`12 MP with a small face (${res.smallFace.faceWidthPx} px; decoded a second time with more pixels): standardize ${res.smallFace.standardizeMs.toFixed(1)} ms, check ${res.smallFace.checkMs.toFixed(1)} ms (informational)`);

  // peak RSS over sequential photos: dev-set photos with the 12 MP file every fifth
  const devFiles = manifest.files.map((f) => path.join(faces, f.path));
  res.peakRssMb = await peakRss(big, devFiles, rssPhotos);
  log(`peak RSS over ${rssPhotos} sequential photos (every 5th the 12 MP file): ${res.peakRssMb.toFixed(0)} MB   (target ≤ 400 MB)`);
  if (!process.env.MALLOC_ARENA_MAX) {
    // glibc gives each thread (libvips, libuv, the ONNX worker) its own malloc arena, and freed
    // buffers fragment them; the same loop in a fresh process with MALLOC_ARENA_MAX=2 shows what a
    // service started with that setting needs (informational: this process cannot change it)
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--rss-only", bigPath, String(rssPhotos)], {
      env: { ...process.env, MALLOC_ARENA_MAX: "2" },
      encoding: "utf8",
    });
    const mb = Number(/peakRssMb=(\d+(?:\.\d+)?)/.exec(child.stdout ?? "")?.[1]);
    if (Number.isFinite(mb)) {
      res.peakRssArena2Mb = mb;
      log(`  same loop in a process started with MALLOC_ARENA_MAX=2: ${mb.toFixed(0)} MB`);
    }
  }
  return res;
}

async function peakRss(big: Buffer, devFiles: string[], n: number): Promise<number> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  for (let i = 0; i < n; i++) {
    const buf = i % 5 === 0 ? big : readFileSync(devFiles[i % devFiles.length]!);
    await standardize(buf);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  clearInterval(sampler);
  return peak / 1048576;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv[2] === "--rss-only") {
    const faces = process.env.FACES_DIR ?? path.resolve(here, "../../../../shared/testdata/faces");
    const manifest = JSON.parse(readFileSync(path.join(faces, "manifest.json"), "utf8")) as { files: Array<{ path: string }> };
    await loadPhotoModels();
    const mb = await peakRss(readFileSync(process.argv[3]!), manifest.files.map((f) => path.join(faces, f.path)), Number(process.argv[4] ?? 100));
    console.log(`peakRssMb=${mb.toFixed(1)}`);
    process.exit(0);
  }
  await benchPhoto();
}
