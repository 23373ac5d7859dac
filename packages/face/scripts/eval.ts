/**
 * `pnpm eval:face` — ROC evaluation of the face comparison on the dev set, for every configured
 * local model (the model cards in packages/face/models and MODEL_DIR, or each --model named), scored
 * with the card's calibration. With --write the calibration fitted here (pooled clean + degraded
 * extended impostors) replaces the card's.
 *
 *   tsx packages/face/scripts/eval.ts [--model <card.json>]... [--write [--out <calibration.json>]] [--far-at-80 1e-4] [--json]
 *
 * Sets (paths relative to ../shared/testdata/faces):
 *  - dev: pairs.json (245 same / 245 different), a = graduation photo, b = reference;
 *  - extended impostors: every different-identity pair of the 134 identity images (8,666 pairs),
 *    used to measure false-accept rates below 1/245 and to fit the calibration;
 *  - both again with degraded references (b downscaled to 150 px wide, grayscale, JPEG q40).
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { modelDir } from "@gradphoto/vision";
import { packageDir } from "../src/config.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { calibrationVersion, CalibrationSchema, PASS_THRESHOLD, procedureOf, scoreFromSimilarity, type Calibration } from "../src/calibration.js";
import { createFaceMatcher } from "../src/comparer.js";
import { writeModelCard } from "../src/model-card.js";
import { cosine } from "../src/embedder.js";
import { FaceError, type FaceErrorCode, type ImageRole } from "../src/errors.js";
import { buildKnots, DEFAULT_FAR_AT_80, fitImpostorTail, identityBootstrap, sortedQuantile, TAIL_FIT_RANGE } from "../src/fit.js";
import { conditionFor, type EmbedCondition, type FaceAnalysis } from "../src/pipeline.js";
import { DEGRADE, degradeReference, facesDir, loadIdentityFiles, loadPairs } from "./dataset.js";

type Variant = "clean" | "degraded";
type Outcome = number | FaceErrorCode; // cosine, or the error that stopped the comparison

export interface SetFigures {
  genuine: number;
  impostors: number;
  errors: { genuine: number; impostor: number; codes: Record<string, number> };
  garAt80: number;
  genuineAt80: number;
  impostorsAt80: number;
  eer: number;
  garAtFar: Record<string, { similarity: number; score: number; gar: number }>;
  histogram: { bins: string[]; genuine: number[]; impostor: number[] };
}

export interface EvalReport {
  modelId: string;
  modelSha256: string;
  calibration: Calibration;
  dev: Record<Variant, SetFigures>;
  extended: Record<Variant, { impostors: number; errors: number; at80: number; scoredAt80Blocked: number; maxScoreVouching: number; farAt80: number; maxScore: number; top: Array<{ score: number; a: string; b: string }> }>;
  extendedGenuineDegraded: { genuine: number; errors: number; garAt80: number };
  frontalGenuine: Record<Variant, { pairs: number; garAt80: number }>;
  /** genuine pairs whose graduation photo is labelled compliant: the product only compares photos that passed the rules */
  compliantPhotoGenuine: Record<Variant, { pairs: number; garAt80: number }>;
  roc: Record<Variant, Array<{ score: number; similarity: number; farExtended: number; garDev: number }>>;
  bootstrap: { far1e4: { median: number; p05: number; p95: number }; scoreOfThatAt80: { p05: number; p95: number } };
  /** which mapping the figures use: the card's (the product's) or the one fitted in this run */
  scoredWith: "card" | "fitted";
  /** references the comparison refused, by variant: all, and those labelled with at least one face (must be 0) */
  refusedReferences: Record<Variant, { all: number; withFace: number; files: string[] }>;
  /** dev genuine pairs under 80 (errors included) and how many of them carry the low-quality-reference reason */
  genuineFailures: Record<Variant, { under80: number; lowQualityReason: number }>;
  seconds: number;
}

const FAR_LEVELS = [1e-2, 1e-3] as const;

export interface FaceEvalOptions {
  /** model card or config file (default models/faceplugin-mfn-512.card.json) */
  model?: string;
  /** calibration output (default: the path the config names) */
  out?: string;
  write?: boolean;
  /** operating point: the FAR that score 80 stands for (default 1e-4) */
  farAt80?: number;
  log?: (s: string) => void;
}

export async function runFaceEval(opts: FaceEvalOptions = {}): Promise<EvalReport> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const t0 = performance.now();
  const dir = facesDir();
  const matcher = await createFaceMatcher(opts.model ? { model: opts.model } : {});
  const files = loadIdentityFiles(dir);
  const index = new Map(files.map((f, i) => [f.path, i]));
  log(`face eval: model ${matcher.config.id} (sha256 ${matcher.modelSha256.slice(0, 12)}), ${files.length} identity images, crop scales ${matcher.config.cropScales.join("/")}`);

  // Analyse every image once per role and variant.
  type Analysed = FaceAnalysis | FaceErrorCode; // an error code: the comparison refused the image
  const A: Record<Variant, Record<ImageRole, Analysed[]>> = { clean: { photo: [], reference: [] }, degraded: { photo: [], reference: [] } };
  const tryAnalyse = async (buf: Buffer, role: ImageRole): Promise<Analysed> => {
    try {
      return await matcher.analyse(buf, role);
    } catch (err) {
      if (err instanceof FaceError) return err.code;
      throw err;
    }
  };
  for (const f of files) {
    const buf = await readFile(path.join(dir, f.path));
    A.clean.photo.push(await tryAnalyse(buf, "photo"));
    A.clean.reference.push(await tryAnalyse(buf, "reference"));
    A.degraded.reference.push(await tryAnalyse(await degradeReference(buf), "reference"));
  }
  const failed = (v: Variant, r: ImageRole) => A[v][r].filter((x) => typeof x === "string").length;
  log(`analysis: clean photo errors ${failed("clean", "photo")}, clean reference errors ${failed("clean", "reference")}, degraded reference errors ${failed("degraded", "reference")}`);

  const cache = new Map<string, Float32Array>();
  const embed = async (i: number, v: Variant, a: FaceAnalysis, c: EmbedCondition): Promise<Float32Array> => {
    const k = `${i}|${v}|${c.grayscale}|${c.eyeDistance ?? ""}`;
    let e = cache.get(k);
    if (!e) {
      e = await matcher.embedAnalysis(a, c);
      cache.set(k, e);
    }
    return e;
  };
  const outcome = async (p: number, r: number, v: Variant): Promise<Outcome> => {
    const ap = A.clean.photo[p]!, ar = A[v].reference[r]!;
    if (typeof ap === "string") return ap;
    if (typeof ar === "string") return ar;
    const ep = await embed(p, "clean", ap, conditionFor(ap, ar, matcher.pipeline));
    const er = await embed(r, v, ar, conditionFor(ar, ap, matcher.pipeline));
    const c = cosine(ep, er);
    // as compare() does: a reference face under the minimum eye distance cannot pass by itself
    if (ar.eyeDistance < matcher.pipeline.minEyeDistance) blocked.add(c);
    return c;
  };
  const blocked = new Set<number>(); // cosines of comparisons whose reference face is too small to pass

  // Dev pairs.
  const pairs = loadPairs(dir).map((p) => ({ a: index.get(p.a), b: index.get(p.b), same: p.same, pa: p.a, pb: p.b }));
  for (const p of pairs) if (p.a === undefined || p.b === undefined) throw new Error(`pair ${p.pa} / ${p.pb} not in the manifest`);
  const dev: Record<Variant, { g: Outcome[]; i: Outcome[] }> = { clean: { g: [], i: [] }, degraded: { g: [], i: [] } };
  // Genuine pairs where both photos are frontal (closer to ID photos than the dev set as a whole).
  const frontal = pairs.filter((p) => p.same).map((p) => files[p.a!]!.labels.frontal === true && files[p.b!]!.labels.frontal === true);
  // Genuine pairs whose graduation photo (a) is labelled compliant: in the product only a photo that
  // passed the photo rules (frontal, eyes open, mouth closed, …) reaches the comparison.
  const compliantPhoto = pairs.filter((p) => p.same).map((p) => files[p.a!]!.labels.expected_compliant === true);
  for (const v of ["clean", "degraded"] as const) {
    for (const p of pairs) (p.same ? dev[v].g : dev[v].i).push(await outcome(p.a!, p.b!, v));
  }
  log(`dev pairs done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

  // Extended impostors: every different-identity pair once, alternating which side is the reference.
  const extPairs: Array<[number, number]> = [];
  const genOrdered: Array<[number, number]> = [];
  for (let i = 0; i < files.length; i++) {
    for (let j = 0; j < files.length; j++) {
      if (i === j) continue;
      if (files[i]!.identity === files[j]!.identity) genOrdered.push([i, j]);
      else if (i < j) extPairs.push((i + j) % 2 ? [i, j] : [j, i]);
    }
  }
  const ext: Record<Variant, Outcome[]> = { clean: [], degraded: [] };
  for (const v of ["clean", "degraded"] as const) {
    for (const [p, r] of extPairs) ext[v].push(await outcome(p, r, v));
    log(`extended impostors (${v}): ${extPairs.length} pairs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const extGenDeg: Outcome[] = [];
  for (const [p, r] of genOrdered) extGenDeg.push(await outcome(p, r, "degraded"));

  // Calibration: tail fit on the pooled clean + degraded extended impostors.
  const pooled: number[] = [];
  const pooledIds: Array<[string, string]> = [];
  for (const v of ["clean", "degraded"] as const) {
    ext[v].forEach((o, k) => {
      if (typeof o !== "number") return;
      pooled.push(o);
      pooledIds.push([files[extPairs[k]![0]]!.identity, files[extPairs[k]![1]]!.identity]);
    });
  }
  const fit = fitImpostorTail(pooled);
  const farAt80 = opts.farAt80 ?? DEFAULT_FAR_AT_80;
  const { anchors, knots } = buildKnots(pooled, fit, undefined, farAt80);
  const calibration = CalibrationSchema.parse({
    schema: 1,
    version: calibrationVersion(matcher.config.id, matcher.modelSha256, knots),
    modelId: matcher.config.id,
    modelSha256: matcher.modelSha256,
    metric: "cosine",
    procedure: procedureOf(matcher.config),
    threshold: PASS_THRESHOLD,
    knots,
    method:
      `score = 80 + 10·log10(${farAt80}/FAR) (ten points per decade of false-accept rate; 80 ↔ FAR ${farAt80}), median impostor → 20, ` +
      `linear between knots. FAR ≤ 1e-2 from a normal-quantile line fitted to the empirical impostor tail at ${TAIL_FIT_RANGE[0]}–${TAIL_FIT_RANGE[1]} ` +
      `(${pooled.length} different-identity comparisons: ${extPairs.length} pairs, clean and with degraded references).`,
    anchors,
    createdAt: new Date().toISOString(),
    evaluation: {},
  });

  // Identity bootstrap of the FAR 1e-4 similarity (how much the anchor moves with other people).
  const boot = identityBootstrap(pooled, pooledIds, 1e-4);
  const bq = (q: number) => sortedQuantile(boot, q);

  // Figures with the mapping the product uses (the card's), or with the one fitted here when it is written.
  const scoredWith: "card" | "fitted" = opts.write !== true && matcher.cardCalibration ? "card" : "fitted";
  const used = scoredWith === "card" ? matcher.cardCalibration! : calibration;
  const score = (s: number) => scoreFromSimilarity(used, s);
  /** passes automatically: score ≥ 80 and a reference face large enough to vouch (as compare() decides) */
  const accepted = (s: number) => score(s) >= PASS_THRESHOLD && !blocked.has(s);
  const figures = (g: Outcome[], im: Outcome[], extIm: Outcome[]): SetFigures => {
    const gs = g.filter((x): x is number => typeof x === "number"), is = im.filter((x): x is number => typeof x === "number");
    const codes: Record<string, number> = {};
    for (const x of [...g, ...im]) if (typeof x === "string") codes[x] = (codes[x] ?? 0) + 1;
    const genuineAt80 = gs.filter(accepted).length;
    const extNum = extIm.filter((x): x is number => typeof x === "number").sort((x, y) => y - x);
    const garAtFar: SetFigures["garAtFar"] = {};
    for (const far of FAR_LEVELS) {
      const t = extNum[Math.max(0, Math.ceil(far * extNum.length) - 1)]! + 1e-9; // impostors strictly above t ≤ far
      garAtFar[String(far)] = { similarity: round(t, 4), score: score(t), gar: gs.filter((s) => s >= t).length / g.length };
    }
    let eer = 1, best = Infinity;
    for (const t of [...gs, ...is].sort((x, y) => x - y)) {
      const frr = (g.length - gs.filter((s) => s >= t).length) / g.length;
      const far = is.filter((s) => s >= t).length / im.length;
      if (Math.abs(frr - far) < best) {
        best = Math.abs(frr - far);
        eer = (frr + far) / 2;
      }
    }
    const bins = Array.from({ length: 10 }, (_, k) => `${k * 10}-${k === 9 ? 100 : k * 10 + 9}`);
    const hist = (xs: number[]) => {
      const h = new Array<number>(10).fill(0);
      for (const s of xs) h[Math.min(9, Math.floor(score(s) / 10))]!++;
      return h;
    };
    return {
      genuine: g.length,
      impostors: im.length,
      errors: { genuine: g.length - gs.length, impostor: im.length - is.length, codes },
      garAt80: genuineAt80 / g.length,
      genuineAt80,
      impostorsAt80: is.filter(accepted).length,
      eer,
      garAtFar,
      histogram: { bins, genuine: hist(gs), impostor: hist(is) },
    };
  };
  const devFig = { clean: figures(dev.clean.g, dev.clean.i, ext.clean), degraded: figures(dev.degraded.g, dev.degraded.i, ext.degraded) };
  const extFig = (v: Variant) => {
    const nums = ext[v].map((o, k) => ({ o, k })).filter((x): x is { o: number; k: number } => typeof x.o === "number");
    const at80 = nums.filter((x) => accepted(x.o)).length;
    const scoredAt80Blocked = nums.filter((x) => score(x.o) >= PASS_THRESHOLD && blocked.has(x.o)).length;
    const top = [...nums].sort((x, y) => y.o - x.o).slice(0, 5).map((x) => ({ score: score(x.o), a: files[extPairs[x.k]![0]]!.path, b: files[extPairs[x.k]![1]]!.path }));
    const vouching = nums.filter((x) => !blocked.has(x.o)).map((x) => x.o);
    return { impostors: nums.length, errors: ext[v].length - nums.length, at80, scoredAt80Blocked, farAt80: at80 / nums.length, maxScore: top[0]?.score ?? 0, maxScoreVouching: vouching.length ? score(Math.max(...vouching)) : 0, top };
  };
  const gdNums = extGenDeg.filter((x): x is number => typeof x === "number");
  const subsetGar = (sel: boolean[]) =>
    Object.fromEntries(
      (["clean", "degraded"] as const).map((v) => {
        const g = dev[v].g.filter((_, k) => sel[k]);
        return [v, { pairs: g.length, garAt80: g.filter((x) => typeof x === "number" && accepted(x)).length / g.length }];
      }),
    ) as Record<Variant, { pairs: number; garAt80: number }>;
  const roc = (v: Variant) => {
    const extNum = ext[v].filter((x): x is number => typeof x === "number");
    const gen = dev[v].g;
    return [50, 60, 70, 75, 80, 85, 90].map((s) => {
      const t = knotsInverse(used, s);
      return {
        score: s,
        similarity: round(t, 4),
        farExtended: extNum.filter((x) => score(x) >= s).length / extNum.length,
        garDev: gen.filter((x) => typeof x === "number" && score(x) >= s).length / gen.length,
      };
    });
  };
  const refused = (v: Variant) => {
    const files_ = A[v].reference.map((x, i) => (typeof x === "string" ? i : -1)).filter((i) => i >= 0);
    return { all: files_.length, withFace: files_.filter((i) => (files[i]!.labels.faces ?? 0) >= 1).length, files: files_.map((i) => `${files[i]!.path} ${A[v].reference[i]}`) };
  };
  const failures = (v: Variant) => {
    const genuine = pairs.filter((p) => p.same);
    let under80 = 0, lowQualityReason = 0;
    dev[v].g.forEach((o, k) => {
      if (typeof o === "number" && accepted(o)) return;
      under80++;
      const ref = A[v].reference[genuine[k]!.b!]!;
      if (typeof ref !== "string" && ref.quality?.lowQuality) lowQualityReason++;
    });
    return { under80, lowQualityReason };
  };
  const report: EvalReport = {
    scoredWith,
    refusedReferences: { clean: refused("clean"), degraded: refused("degraded") },
    genuineFailures: { clean: failures("clean"), degraded: failures("degraded") },
    modelId: matcher.config.id,
    modelSha256: matcher.modelSha256,
    calibration: used,
    dev: devFig,
    extended: { clean: extFig("clean"), degraded: extFig("degraded") },
    extendedGenuineDegraded: {
      genuine: extGenDeg.length,
      errors: extGenDeg.length - gdNums.length,
      garAt80: gdNums.filter(accepted).length / extGenDeg.length,
    },
    roc: { clean: roc("clean"), degraded: roc("degraded") },
    frontalGenuine: subsetGar(frontal),
    compliantPhotoGenuine: subsetGar(compliantPhoto),
    bootstrap: {
      far1e4: { median: round(bq(0.5), 4), p05: round(bq(0.05), 4), p95: round(bq(0.95), 4) },
      scoreOfThatAt80: { p05: score(bq(0.05)), p95: score(bq(0.95)) },
    },
    seconds: Math.round((performance.now() - t0) / 1000),
  };
  calibration.evaluation = {
    dataset: "../shared/testdata/faces (pairs.json + all different-identity pairs of the 134 identity images)",
    degradedReference: `${DEGRADE.width} px wide, grayscale, JPEG q${DEGRADE.jpegQuality}`,
    pipeline: matcher.pipeline,
    tailFit: { ...fit, intercept: round(fit.intercept, 5), slope: round(fit.slope, 5) },
    bootstrapFar1e4Similarity: report.bootstrap.far1e4,
    dev: Object.fromEntries(
      (["clean", "degraded"] as const).map((v) => [
        v,
        {
          garAt80: round(devFig[v].garAt80, 4),
          impostorsAt80: devFig[v].impostorsAt80,
          eer: round(devFig[v].eer, 4),
          garAtFar1e2: round(devFig[v].garAtFar["0.01"]!.gar, 4),
          garAtFar1e3: round(devFig[v].garAtFar["0.001"]!.gar, 4),
          errors: devFig[v].errors,
        },
      ]),
    ),
    extendedImpostorsAt80: { clean: report.extended.clean.at80, degraded: report.extended.degraded.at80, of: extPairs.length },
  };
  CalibrationSchema.parse(calibration);
  const out = opts.out ?? matcher.calibrationPath;
  if (opts.write === true && matcher.card && !opts.out) {
    writeModelCard(out, { ...matcher.card, calibration });
    log(`wrote the calibration into ${path.relative(process.cwd(), out)} (version ${calibration.version})`);
  } else if (opts.write === true) {
    writeFileSync(out, JSON.stringify(calibration, null, 2) + "\n");
    log(`wrote ${path.relative(process.cwd(), out)} (version ${calibration.version})`);
  }
  return report;
}

/** Model cards of the configured local models: packages/face/models/*.card.json and MODEL_DIR/*.card.json. */
function configuredCards(): string[] {
  const dirs = [path.join(packageDir, "models"), modelDir()];
  const cards = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(".card.json")).map((f) => path.join(d, f)) : []));
  return [...new Set(cards)];
}

function knotsInverse(cal: Calibration, score: number): number {
  const k = cal.knots;
  let i = 1;
  while (i < k.length - 1 && k[i]!.score < score) i++;
  const a = k[i - 1]!, b = k[i]!;
  return a.similarity + ((score - a.score) / (b.score - a.score)) * (b.similarity - a.similarity);
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The summary table (markdown) the issue asks for, one row per figure. */
export function summaryTable(r: EvalReport): string {
  const d = r.dev, e = r.extended;
  const row = (name: string, clean: string, deg: string) => `| ${name} | ${clean} | ${deg} |`;
  return [
    `model ${r.modelId} (sha256 ${r.modelSha256.slice(0, 12)}), scored with the ${r.scoredWith === "card" ? "card's" : "freshly fitted"} calibration ${r.calibration.version}`,
    "",
    `| | clean references | degraded references (${DEGRADE.width} px, grey, JPEG q${DEGRADE.jpegQuality}) |`,
    "|---|---|---|",
    row("TAR at 80 (dev genuine pairs)", `${d.clean.genuineAt80}/${d.clean.genuine} = ${pct(d.clean.garAt80)}`, `${d.degraded.genuineAt80}/${d.degraded.genuine} = ${pct(d.degraded.garAt80)}`),
    row("impostors ≥ 80, listed pairs", `${d.clean.impostorsAt80}/${d.clean.impostors}`, `${d.degraded.impostorsAt80}/${d.degraded.impostors}`),
    row("impostors passing at 80, extended cross-identity pairs", `${e.clean.at80}/${e.clean.impostors}`, `${e.degraded.at80}/${e.degraded.impostors}`),
    row("… scored ≥ 80 but refused the automatic pass (reference eye distance < 9 px)", String(e.clean.scoredAt80Blocked), String(e.degraded.scoredAt80Blocked)),
    row("highest extended impostor score (reference ≥ 9 px / any)", `${e.clean.maxScoreVouching} / ${e.clean.maxScore}`, `${e.degraded.maxScoreVouching} / ${e.degraded.maxScore}`),
    row("refused references (labelled with a face)", `${r.refusedReferences.clean.all} (${r.refusedReferences.clean.withFace})`, `${r.refusedReferences.degraded.all} (${r.refusedReferences.degraded.withFace})`),
    row("genuine not passing at 80 that carry the low-quality-reference reason", `${r.genuineFailures.clean.lowQualityReason}/${r.genuineFailures.clean.under80}`, `${r.genuineFailures.degraded.lowQualityReason}/${r.genuineFailures.degraded.under80}`),
    row("EER (dev pairs)", pct(d.clean.eer), pct(d.degraded.eer)),
    row("GAR at FAR 1e-3 (extended impostors)", pct(d.clean.garAtFar["0.001"]!.gar), pct(d.degraded.garAtFar["0.001"]!.gar)),
  ].join("\n");
}

export function formatReport(r: EvalReport): string {
  const L: string[] = [summaryTable(r), ""];
  const c = r.calibration;
  L.push(`model ${r.modelId}  sha256 ${r.modelSha256.slice(0, 12)}  calibration ${c.version}`);
  L.push(`anchors: ${c.anchors.map((a) => `FAR ${a.far} → cos ${a.similarity.toFixed(4)} → ${a.score}`).join("; ")}`);
  L.push(
    `FAR 1e-4 similarity, identity bootstrap (200×): median ${r.bootstrap.far1e4.median}, 90% interval ${r.bootstrap.far1e4.p05}–${r.bootstrap.far1e4.p95} (scores ${r.bootstrap.scoreOfThatAt80.p05}–${r.bootstrap.scoreOfThatAt80.p95})`,
  );
  for (const v of ["clean", "degraded"] as const) {
    const d = r.dev[v];
    L.push("");
    L.push(`== dev set (pairs.json), ${v === "clean" ? "clean references" : `degraded references (${DEGRADE.width} px, gray, q${DEGRADE.jpegQuality})`} ==`);
    L.push(`genuine ≥80: ${d.genuineAt80}/${d.genuine} = ${pct(d.garAt80)}   impostors ≥80: ${d.impostorsAt80}/${d.impostors}   EER ${pct(d.eer)}`);
    L.push(`errors (counted as not passed): genuine ${d.errors.genuine}, impostor ${d.errors.impostor} ${JSON.stringify(d.errors.codes)}`);
    for (const [far, x] of Object.entries(d.garAtFar)) L.push(`GAR at FAR ${far} (FAR on the ${r.extended[v].impostors} extended impostors): ${pct(x.gar)}  (cos ${x.similarity}, score ${x.score})`);
    const e = r.extended[v];
    L.push(`extended impostors passing at 80: ${e.at80}/${e.impostors} (FAR ${e.farAt80.toExponential(1)}; ${e.scoredAt80Blocked} more scored ≥80 and were referred, not passed: reference eye distance < 9 px), errors ${e.errors}, highest ${e.top.map((t) => `${t.score} ${t.a}~${t.b}`).join(", ")}`);
    L.push(`ROC (score: cos, FAR on extended impostors, GAR on dev genuine):`);
    for (const p of r.roc[v]) L.push(`  ${String(p.score).padStart(3)}: cos ${p.similarity.toFixed(4)}  FAR ${p.farExtended.toExponential(2)}  GAR ${pct(p.garDev)}`);
    L.push(`score histogram (dev)      genuine | impostor`);
    const max = Math.max(...d.histogram.genuine, ...d.histogram.impostor, 1);
    d.histogram.bins.forEach((b, k) => {
      const g = d.histogram.genuine[k]!, im = d.histogram.impostor[k]!;
      L.push(`  ${b.padStart(6)} ${String(g).padStart(4)} ${"#".repeat(Math.round((g / max) * 30)).padEnd(30)} | ${String(im).padStart(4)} ${"*".repeat(Math.round((im / max) * 30))}`);
    });
  }
  const gd = r.extendedGenuineDegraded;
  L.push("");
  L.push(`degraded, every same-identity pair in both directions: ${pct(gd.garAt80)} of ${gd.genuine} ≥80 (errors ${gd.errors})`);
  L.push(
    `genuine pairs with both photos frontal: clean ${pct(r.frontalGenuine.clean.garAt80)} of ${r.frontalGenuine.clean.pairs} ≥80, degraded ${pct(r.frontalGenuine.degraded.garAt80)} of ${r.frontalGenuine.degraded.pairs}`,
  );
  L.push(
    `genuine pairs whose graduation photo is labelled compliant: clean ${pct(r.compliantPhotoGenuine.clean.garAt80)} of ${r.compliantPhotoGenuine.clean.pairs} ≥80, degraded ${pct(r.compliantPhotoGenuine.degraded.garAt80)} of ${r.compliantPhotoGenuine.degraded.pairs}`,
  );
  L.push(`took ${r.seconds} s`);
  return L.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: "string", multiple: true }, out: { type: "string" }, write: { type: "boolean" }, json: { type: "boolean" }, "far-at-80": { type: "string" } },
  });
  // Every configured local model: the cards in packages/face/models and in MODEL_DIR, or those named.
  const models = values.model?.length ? values.model.map((m) => path.resolve(m)) : configuredCards();
  const reports: EvalReport[] = [];
  for (const model of models) {
    const opts: FaceEvalOptions = { write: values.write === true, model };
    if (values["far-at-80"]) opts.farAt80 = Number(values["far-at-80"]);
    if (values.out) opts.out = path.resolve(values.out);
    if (values.json) opts.log = (s) => console.error(s);
    const report = await runFaceEval(opts);
    reports.push(report);
    if (!values.json) console.log(formatReport(report) + "\n");
  }
  if (values.json) console.log(JSON.stringify(reports, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
