import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { calibrationVersion, CalibrationSchema, PASS_THRESHOLD, procedureOf, scoreFromSimilarity, type Calibration } from "./calibration.js";
import { createFaceMatcher, type FaceMatcher } from "./comparer.js";
import { cosine } from "./embedder.js";
import { FaceError } from "./errors.js";
import { buildKnots, fitImpostorTail, identityBootstrap, sortedQuantile, TAIL_FIT_RANGE } from "./fit.js";
import { readModelCard, writeModelCard } from "./model-card.js";
import { conditionFor, type EmbedCondition, type FaceAnalysis } from "./pipeline.js";

/** A labelled pairs file: `[{ a, b, same }]`, paths relative to the file (as ../shared/testdata/faces/pairs.json). */
export const LabelledPairsSchema = z.array(z.object({ a: z.string().min(1), b: z.string().min(1), same: z.boolean() }).passthrough()).min(1);

export interface CalibrateOptions {
  /** the model card to calibrate (its calibration is replaced unless `write` is false) */
  card: string;
  pairsFile: string;
  /** the false-accept rate score 80 stands for */
  far: number;
  modelDir?: string;
  write?: boolean;
  log?: (s: string) => void;
}

export const CalibrateReportSchema = z.object({
  modelId: z.string(),
  card: z.string(),
  images: z.number().int(),
  identities: z.number().int(),
  /** images whose face could not be used (no face, unreadable), left out */
  unusable: z.array(z.object({ file: z.string(), code: z.string() })),
  impostorComparisons: z.number().int(),
  far: z.number(),
  /** cosine that score 80 stands for */
  similarityAt80: z.number(),
  /** impostor comparisons of this set at or above that cosine, and the resulting one-sided 95 % upper bound on the FAR */
  impostorsAt80: z.number().int(),
  farUpper95: z.number(),
  /** the requested FAR is below what this many impostors can show by counting (3/n): it rests on the tail fit */
  extrapolated: z.boolean(),
  tailFitRange: z.tuple([z.number(), z.number()]),
  /** identity bootstrap (200 resamples of the people): where the FAR line could equally be, as scores on the new mapping */
  bootstrapScore90: z.tuple([z.number(), z.number()]),
  version: z.string(),
  written: z.boolean(),
});
export type CalibrateReport = z.infer<typeof CalibrateReportSchema>;

/**
 * Fits the cosine → score mapping of a card's model from every cross-identity pair of a labelled set
 * (not only the pairs listed as different: identities are the connected groups of `same` pairs), with
 * 80 at the requested FAR, and writes it into the card.
 */
export async function calibrateFace(opts: CalibrateOptions): Promise<{ report: CalibrateReport; calibration: Calibration }> {
  const log = opts.log ?? (() => {});
  const card = readModelCard(opts.card);
  let text: string;
  try {
    text = await readFile(opts.pairsFile, "utf8");
  } catch {
    throw new CalibrateUsageError(`cannot read pairs file ${opts.pairsFile}`);
  }
  let pairs: z.infer<typeof LabelledPairsSchema>;
  try {
    pairs = LabelledPairsSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new CalibrateUsageError(`pairs file ${opts.pairsFile} must be a JSON array of { "a", "b", "same" }: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!(opts.far > 0 && opts.far < 0.1)) throw new CalibrateUsageError("--far must be between 0 and 0.1 (e.g. 1e-4)");

  // Identities: connected groups of same-person pairs.
  const files = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const parent = files.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const at = new Map(files.map((f, i) => [f, i]));
  for (const p of pairs) if (p.same) parent[find(at.get(p.a)!)] = find(at.get(p.b)!);
  const identity = files.map((_, i) => find(i));
  const identities = new Set(identity).size;
  if (identities < 2) throw new CalibrateUsageError("the pairs file has one identity only: no impostor pairs");

  const matcher: FaceMatcher = await createFaceMatcher({ model: opts.card, ...(opts.modelDir ? { modelDir: opts.modelDir } : {}) });
  const base = path.dirname(path.resolve(opts.pairsFile));
  const analyses: Array<FaceAnalysis | null> = [];
  const unusable: CalibrateReport["unusable"] = [];
  for (const f of files) {
    try {
      analyses.push(await matcher.analyse(await readFile(path.resolve(base, f)), "reference"));
    } catch (err) {
      analyses.push(null);
      unusable.push({ file: f, code: err instanceof FaceError ? err.code : "INVALID_IMAGE" });
    }
  }
  log(`calibrate-face: ${files.length} images, ${identities} identities, ${unusable.length} unusable`);

  const cache = new Map<string, Float32Array>();
  const embed = async (i: number, c: EmbedCondition): Promise<Float32Array> => {
    const k = `${i}|${c.grayscale}|${c.eyeDistance ?? ""}`;
    let e = cache.get(k);
    if (!e) cache.set(k, (e = await matcher.embedAnalysis(analyses[i]!, c)));
    return e;
  };
  // Every cross-identity pair once, alternating which side plays the reference (its condition is applied to the other).
  const sims: number[] = [];
  const ids: Array<[number, number]> = [];
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      if (identity[i] === identity[j] || !analyses[i] || !analyses[j]) continue;
      const [p, r] = (i + j) % 2 ? [i, j] : [j, i];
      const ap = analyses[p]!, ar = analyses[r]!;
      sims.push(cosine(await embed(p, conditionFor(ap, ar, matcher.pipeline)), await embed(r, conditionFor(ar, ap, matcher.pipeline))));
      ids.push([identity[i]!, identity[j]!]);
    }
  }
  const n = sims.length;
  if (n < 100) throw new CalibrateUsageError(`only ${n} impostor comparisons: a calibration needs a labelled set with at least 100 cross-identity pairs`);
  log(`calibrate-face: ${n} impostor comparisons`);

  // The tail is fitted where at least ~10 impostors lie above each quantile.
  const range: [number, number] = [Math.max(TAIL_FIT_RANGE[0], 10 / n), Math.max(TAIL_FIT_RANGE[1], 30 / n)];
  const fit = fitImpostorTail(sims, undefined, range);
  const { anchors, knots } = buildKnots(sims, fit, undefined, opts.far);
  const calibration = CalibrationSchema.parse({
    schema: 1,
    version: calibrationVersion(card.id, card.sha256, knots),
    modelId: card.id,
    modelSha256: card.sha256,
    metric: "cosine",
    procedure: procedureOf(matcher.config),
    threshold: PASS_THRESHOLD,
    knots,
    method:
      `gradphoto calibrate-face: score = 80 + 10·log10(${opts.far}/FAR), median impostor → 20, linear between knots; ` +
      `FAR ≤ 1e-2 from a normal-quantile line fitted to the impostor tail at ${range[0].toPrecision(2)}–${range[1].toPrecision(2)} ` +
      `(${n} cross-identity comparisons of ${path.basename(opts.pairsFile)}).`,
    anchors,
    createdAt: new Date().toISOString(),
    evaluation: { pairsFile: path.basename(opts.pairsFile), images: files.length, identities, impostorComparisons: n, unusable: unusable.length },
  });

  const line = anchors.find((a) => a.score === PASS_THRESHOLD)!.similarity;
  const at80 = sims.filter((s) => s >= line).length;
  // one-sided 95 % Poisson upper bound on the count (Wilson–Hilferty; 0 → 3.0, the rule of three)
  const upper = (at80 + 1) * (1 - 1 / (9 * (at80 + 1)) + 1.645 / (3 * Math.sqrt(at80 + 1))) ** 3;
  // identity bootstrap of the line's cosine
  const boot = identityBootstrap(sims, ids, opts.far, { range });
  const q = (p: number) => sortedQuantile(boot, p);
  const report: CalibrateReport = {
    modelId: card.id,
    card: opts.card,
    images: files.length,
    identities,
    unusable,
    impostorComparisons: n,
    far: opts.far,
    similarityAt80: line,
    impostorsAt80: at80,
    farUpper95: upper / n,
    extrapolated: n < 3 / opts.far,
    tailFitRange: range,
    bootstrapScore90: [scoreFromSimilarity(calibration, q(0.05)), scoreFromSimilarity(calibration, q(0.95))],
    version: calibration.version,
    written: opts.write !== false,
  };
  if (opts.write !== false) writeModelCard(opts.card, { ...card, calibration });
  return { report: CalibrateReportSchema.parse(report), calibration };
}

/** Bad arguments or input files (exit code 2 in the CLI). */
export class CalibrateUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalibrateUsageError";
  }
}

/** The human-readable report the CLI prints. */
export function formatCalibrateReport(r: CalibrateReport): string {
  const L = [
    `model ${r.modelId}: ${r.images} images of ${r.identities} identities${r.unusable.length ? `, ${r.unusable.length} unusable (${r.unusable.map((u) => `${u.file} ${u.code}`).join(", ")})` : ""}`,
    `impostor comparisons (every cross-identity pair): ${r.impostorComparisons}`,
    `score 80 ↔ FAR ${r.far} ↔ cosine ${r.similarityAt80.toFixed(4)}`,
    `impostors of this set at ≥ 80: ${r.impostorsAt80} (observed FAR ${(r.impostorsAt80 / r.impostorComparisons).toExponential(1)}, 95 % upper bound ${r.farUpper95.toExponential(1)})`,
    r.extrapolated
      ? `confidence: LOW for FAR ${r.far} — ${r.impostorComparisons} comparisons can only confirm a FAR down to ${(3 / r.impostorComparisons).toExponential(1)} by counting; the line rests on the tail fit (${r.tailFitRange.map((x) => x.toExponential(1)).join("–")}) extrapolated; needs ≥ ${Math.ceil(3 / r.far)} comparisons`
      : `confidence: the requested FAR is within what this set can count`,
    `identity bootstrap (200 resamples of the people): the FAR line lies between scores ${r.bootstrapScore90[0]} and ${r.bootstrapScore90[1]} (90 %)`,
    `calibration ${r.version}${r.written ? ` written into ${r.card}` : " (not written)"}`,
  ];
  return L.join("\n");
}
