/**
 * How far the thresholds alone can take the labelled-rule decision on the dev set:
 *   pnpm eval:thresholds            (from the repo root; ≈ 2 min)
 * Measures every photo once (checkInputs), then re-runs the real runChecks() under other thresholds:
 * a joint coordinate ascent over every threshold (each on a grid of 0.5–2× its default), fitted on the
 * whole set (an in-sample ceiling: the best the current measurements can do when overfitted), and the
 * same fit under leave-one-identity-out cross-validation (what such a re-fit would do on new people).
 * Nothing is written: the shipped thresholds stay the round ones in spec.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkInputs, loadPhotoModels, photoSpec, runChecks, type CheckInput, type PhotoSpec, type Thresholds } from "../src/index.js";
import { failsLabelledRule, identityOf } from "./labels.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const facesDir = process.env.FACES_DIR ?? path.resolve(here, "../../../../shared/testdata/faces");

interface Row { path: string; compliant: boolean; error: boolean; input: Omit<CheckInput, "spec"> }

/** Thresholds that are not judgement calls of a labelled rule (detector scores, product-only rules). */
const FIXED = new Set(["faceScore", "otherFaceScore", "minFaceWidthPx", "minHairMargin", "minChroma"]);
const FACTORS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5, 1.75, 2];

type Knob = { key: string; end?: 0 | 1 };

function knobsOf(t: Thresholds): Knob[] {
  const out: Knob[] = [];
  for (const [key, v] of Object.entries(t)) {
    if (FIXED.has(key)) continue;
    if (typeof v === "number") out.push({ key });
    else if (Array.isArray(v) && v.length === 2) out.push({ key, end: 0 }, { key, end: 1 });
  }
  return out;
}

const getKnob = (t: Thresholds, k: Knob): number => {
  const v = (t as Record<string, unknown>)[k.key];
  return k.end === undefined ? (v as number) : (v as number[])[k.end]!;
};

function setKnob(t: Thresholds, k: Knob, value: number): Thresholds {
  const next = structuredClone(t) as Record<string, unknown>;
  if (k.end === undefined) next[k.key] = value;
  else (next[k.key] as number[])[k.end] = value;
  return next as Thresholds;
}

function rejects(spec: PhotoSpec, t: Thresholds, rows: Row[]): boolean[] {
  const s = { ...spec, thresholds: t };
  return rows.map((r) => r.error || failsLabelledRule(runChecks({ spec: s, ...r.input })));
}

function balanced(rows: Row[], rejected: boolean[]): { acc: number; accepted: number; compliant: number; refused: number; non: number } {
  let accepted = 0, compliant = 0, refused = 0, non = 0;
  rows.forEach((r, i) => {
    if (r.compliant) { compliant++; if (!rejected[i]) accepted++; } else { non++; if (rejected[i]) refused++; }
  });
  return { acc: (accepted / Math.max(1, compliant) + refused / Math.max(1, non)) / 2, accepted, compliant, refused, non };
}

/** Coordinate ascent: each knob in turn moved to its best grid value, until a round changes nothing. */
function fit(spec: PhotoSpec, rows: Row[], log?: (s: string) => void): Thresholds {
  let t = structuredClone(spec.thresholds);
  let best = balanced(rows, rejects(spec, t, rows)).acc;
  const knobs = knobsOf(t);
  for (let round = 0; round < 5; round++) {
    let moved = false;
    for (const k of knobs) {
      const v = getKnob(t, k);
      for (const f of FACTORS) {
        const cand = setKnob(t, k, +(v * f).toPrecision(4));
        const acc = balanced(rows, rejects(spec, cand, rows)).acc;
        if (acc > best + 1e-9) {
          best = acc;
          t = cand;
          moved = true;
          log?.(`  ${k.key}${k.end === undefined ? "" : `[${k.end}]`}: ${v} → ${getKnob(t, k)}  (${(acc * 100).toFixed(1)} %)`);
        }
      }
    }
    if (!moved) break;
  }
  return t;
}

async function main() {
  const manifest = JSON.parse(readFileSync(path.join(facesDir, "manifest.json"), "utf8")) as { files: Array<{ path: string; labels: { expected_compliant: boolean } }> };
  const spec = photoSpec({});
  await loadPhotoModels();
  const rows: Row[] = [];
  for (const f of manifest.files) {
    const { input, error } = await checkInputs(readFileSync(path.join(facesDir, f.path)), spec);
    rows.push({ path: f.path, compliant: f.labels.expected_compliant, error: !!error, input });
  }
  const pct = (b: ReturnType<typeof balanced>) => `compliant accepted ${b.accepted}/${b.compliant}, non-compliant rejected ${b.refused}/${b.non}, balanced ${(b.acc * 100).toFixed(1)} %`;
  console.log(`shipped thresholds: ${pct(balanced(rows, rejects(spec, spec.thresholds, rows)))}`);
  console.log("joint fit on all photos (in-sample):");
  const all = fit(spec, rows, (s) => console.log(s));
  console.log(`in-sample ceiling: ${pct(balanced(rows, rejects(spec, all, rows)))}`);
  const ids = [...new Set(rows.map((r) => identityOf(r.path)))];
  const cv = new Array<boolean>(rows.length);
  for (const id of ids) {
    const t = fit(spec, rows.filter((r) => identityOf(r.path) !== id));
    const test = rows.map((r, i) => [r, i] as const).filter(([r]) => identityOf(r.path) === id);
    rejects(spec, t, test.map(([r]) => r)).forEach((rej, j) => (cv[test[j]![1]] = rej));
  }
  console.log(`leave-one-identity-out CV of the joint fit (${ids.length} identities): ${pct(balanced(rows, cv))}`);
}

await main();
