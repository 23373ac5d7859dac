/**
 * Accuracy and output evaluation on both dev sets (../shared/testdata/faces, strict labels, and
 * ../shared/testdata/faces-studio):
 *   pnpm eval:photo            (from the repo root; --no-stability, --no-outputs for quick iterations)
 * Prints per set the decision against the labels (every labelled rule counts), balanced accuracy, per
 * labelled issue the recall of its own check, per check its refusals of compliant photos, the goals of
 * issue #18 and the verdict-stability table; then an independent measurement of every standardised
 * output of faces/. Writes docs/photo-eval.txt and docs/photo-contact-sheet.png (not with --no-outputs).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import {
  check, standardize, inspectJpeg, measureOutput, loadPhotoModels, DEFAULT_SPEC, backgroundRgb,
  type CheckResult, type OutputMeasurement, type PhotoReport, type StandardizeReport,
} from "../src/index.js";
import { failsLabelledRule, identityOf, ISSUE_CHECKS, type Entry } from "./labels.js";
import { stability, stabilityTable } from "./stability.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const testdata = process.env.SHARED_DIR ? path.join(process.env.SHARED_DIR, "testdata") : path.resolve(repo, "../shared/testdata");
const facesDir = process.env.FACES_DIR ?? path.join(testdata, "faces");
const studioDir = process.env.STUDIO_DIR ?? path.join(testdata, "faces-studio");

const failed = (checks: CheckResult[]): string[] => checks.filter((c) => !c.passed && c.severity === "error").map((c) => c.id);
const fired = (checks: CheckResult[]): string[] => checks.filter((c) => !c.passed).map((c) => c.id);
/** The decision: refused by an error (no face, several faces) or by any error check (every rule is labelled). */
const refused = (r: PhotoReport) => !!r.error || failsLabelledRule(r.checks);
/** Whether the photo's own check(s) for `issue` fired (`errorsOnly`: only as an error); the face-count issues also by their error code. */
const ownFired = (issue: string, r: PhotoReport, errorsOnly: boolean) =>
  (["no_face", "multiple_faces", "background_faces"].includes(issue) && !!r.error) ||
  (errorsOnly ? failed(r.checks) : fired(r.checks)).some((id) => ISSUE_CHECKS[issue]?.includes(id));

/** The report's own checks of the standardised layout (an output failing one is refused with its reasons). */
const OUTPUT_CHECKS = new Set(["output_geometry", "chest_in_frame", "sides_in_frame"]);

/**
 * Balanced accuracy resampled over identities (photos of one person are not independent): 2.5th and
 * 97.5th percentiles of `draws` resamples of the identities with replacement (fixed seed).
 */
export function identityBootstrap(items: Array<{ group: string; compliant: boolean; rejected: boolean }>, draws = 2000): { lo: number; hi: number; groups: number; draws: number } {
  const byGroup = new Map<string, typeof items>();
  for (const i of items) byGroup.set(i.group, [...(byGroup.get(i.group) ?? []), i]);
  const groups = [...byGroup.values()];
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const vals: number[] = [];
  for (let d = 0; d < draws; d++) {
    let ca = 0, cn = 0, nr = 0, nn = 0;
    for (let k = 0; k < groups.length; k++) {
      for (const i of groups[Math.floor(rand() * groups.length)]!) {
        if (i.compliant) { cn++; if (!i.rejected) ca++; } else { nn++; if (i.rejected) nr++; }
      }
    }
    if (cn && nn) vals.push((100 * (ca / cn + nr / nn)) / 2);
  }
  vals.sort((a, b) => a - b);
  const at = (q: number) => vals[Math.min(vals.length - 1, Math.floor(q * vals.length))] ?? NaN;
  return { lo: at(0.025), hi: at(0.975), groups: groups.length, draws: vals.length };
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "n/a");

const noOutputs = process.argv.includes("--no-outputs");

async function main() {
  const manifest = JSON.parse(readFileSync(path.join(facesDir, "manifest.json"), "utf8")) as { files: Entry[] };
  const spec = DEFAULT_SPEC;
  const target = backgroundRgb(spec.output.background);
  await loadPhotoModels();
  const rows: Array<{ e: Entry; buf: Buffer; check: PhotoReport; std: StandardizeReport; image?: Buffer; measured?: OutputMeasurement; jpeg?: ReturnType<typeof inspectJpeg>; eligible: boolean; inSpec?: boolean; specFails?: string[] }> = [];
  const t0 = performance.now();
  for (const e of manifest.files) {
    const buf = readFileSync(path.join(facesDir, e.path));
    const c = await check(buf, spec);
    const s = noOutputs ? { report: { ...c, compliant: c.compliant } as StandardizeReport } as Awaited<ReturnType<typeof standardize>> : await standardize(buf, spec);
    const L = e.labels;
    const fw = c.source?.faceWidthPx ?? 0;
    // "geometry allows" (issue 4): one face, frontal, eyes open, no hat, whole head in frame, colour, face ≥ 160 px
    const eligible = L.faces === 1 && L.frontal && L.eyes === "open" && !L.hat && L.occlusion !== "cropped" && L.framing !== "face_crop" && L.color === "color" && fw >= spec.thresholds.minFaceWidthPx;
    const row: (typeof rows)[number] = { e, buf, check: c, std: s.report, eligible };
    if (s.image) {
      row.image = s.image;
      row.jpeg = inspectJpeg(s.image);
      row.measured = await measureOutput(s.image, target, { oldBackground: await borderColour(buf) });
      const m = row.measured, j = row.jpeg, o = spec.output;
      const fails: string[] = [];
      if (j.width !== o.width || j.height !== o.height) fails.push("size");
      if (!j.baseline) fails.push("not-baseline");
      if (j.dpi !== o.dpi) fails.push("dpi");
      if (j.extraSegments.length) fails.push("metadata");
      if ((j.quality ?? 0) < o.minQuality) fails.push("quality");
      if (j.bytes < o.minKb * 1024 || j.bytes > o.maxKb * 1024) fails.push("file-size");
      const inR = (v: number | null, r: readonly [number, number]) => v !== null && v >= r[0] && v <= r[1];
      if (!inR(m.headTop, o.headTop)) fails.push("head-top");
      if (!inR(m.eyeLine, o.eyeLine)) fails.push("eye-line");
      if (!inR(m.faceWidth, o.faceWidth)) fails.push("face-width");
      if (m.centreOffset === null || Math.abs(m.centreOffset) > 0.05 * o.width) fails.push("centre");
      if (!(m.bgDeltaE <= 2)) fails.push("background");
      if (m.haloP95 > 2) fails.push("halo");
      row.inSpec = fails.length === 0;
      row.specFails = fails;
    }
    rows.push(row);
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  const seconds = (performance.now() - t0) / 1000;

  const lines: string[] = [];
  const log = (s = "") => { lines.push(s); console.log(s); };
  const noStability = process.argv.includes("--no-stability");
  log(`# photo evaluation — faces (${rows.length} photos, strict labels) and faces-studio; every labelled rule counts`);
  log();
  await decisionTables("faces (strict labels)", rows.map((r) => ({ e: r.e, buf: r.buf, report: r.check })), spec, log, seconds, noStability, FACES_GOALS);

  // ---- faces-studio: checks only (its outputs are not part of the contact sheet) ----
  const studio = JSON.parse(readFileSync(path.join(studioDir, "manifest.json"), "utf8")) as { files: Entry[] };
  const srows: SetRow[] = [];
  const t2 = performance.now();
  for (const e of studio.files) {
    const buf = readFileSync(path.join(studioDir, e.path));
    srows.push({ e, buf, report: await check(buf, spec) });
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  await decisionTables("faces-studio (Face Research Lab London Set, CC BY 4.0)", srows, spec, log, (performance.now() - t2) / 1000, noStability, STUDIO_GOALS);

  if (noOutputs) return;
  // ---- outputs ----
  log("## Standardised outputs (independent measurement of each output JPEG)");
  const withOut = rows.filter((r) => r.image);
  const elig = rows.filter((r) => r.eligible);
  const eligOut = elig.filter((r) => r.image);
  log(`outputs produced: ${withOut.length}/${rows.length}; in spec: ${withOut.filter((r) => r.inSpec).length}/${withOut.length}`);
  log(`photos whose geometry allows it (one face, frontal, eyes open, no hat, not a face crop/cut, colour, face ≥ ${spec.thresholds.minFaceWidthPx} px): ${elig.length}`);
  log(`  with an output: ${eligOut.length}/${elig.length}; output in spec: ${eligOut.filter((r) => r.inSpec).length}/${eligOut.length} = ${pct(eligOut.filter((r) => r.inSpec).length, eligOut.length)}`);
  for (const r of elig.filter((r) => !r.image)) log(`  refused: ${r.e.path}: ${r.std.error?.code ?? ""} ${r.std.error?.message ?? ""}`);
  // the output checks of its own report that an output failed (they refuse it)
  const ownFailures = (r: (typeof rows)[number]) => r.std.checks.filter((c) => !c.passed && c.severity === "error" && OUTPUT_CHECKS.has(c.id));
  // an output whose own report says it cannot meet the layout (output_geometry, chest_in_frame,
  // sides_in_frame) is refused with its reasons, which the issue allows for a photo that breaks another
  // rule; the out-of-spec ones with the reasons their report gives
  for (const r of eligOut.filter((r) => !r.inSpec)) {
    const own = ownFailures(r).map((c) => `${c.id} ${c.message}`);
    log(`  out of spec: ${r.e.path}: ${r.specFails!.join(", ")}${own.length ? ` — refused by its report: ${own.join("; ")}` : ""}`);
  }
  // in spec by the measurement, yet refused by the product's own output checks (sides_in_frame: the body
  // or hair cut by the source photo's edge inside the frame, which the measurement does not judge)
  const ownIds = (r: (typeof rows)[number]) => ownFailures(r).map((c) => `${c.id} (${JSON.stringify(c.value)})`);
  const refusedInSpec = eligOut.filter((r) => r.inSpec && ownIds(r).length);
  log(`  in spec but refused by their own output checks: ${refusedInSpec.length}${refusedInSpec.length ? ` — ${refusedInSpec.map((r) => `${r.e.path}: ${ownIds(r).join(", ")}`).join("; ")}` : ""}`);
  const kept = eligOut.filter((r) => !ownIds(r).length);
  log(`  delivered (not refused by their own output checks): ${kept.length}; in spec: ${kept.filter((r) => r.inSpec).length}/${kept.length} = ${pct(kept.filter((r) => r.inSpec).length, kept.length)}`);
  const ms = withOut.map((r) => r.measured!);
  const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]!; };
  const stat = (name: string, xs: number[], unit = "") => log(`  ${name.padEnd(22)} min ${q(xs, 0).toFixed(1)}  median ${q(xs, 0.5).toFixed(1)}  max ${q(xs, 1).toFixed(1)}${unit}`);
  const nn = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
  stat("head top (px)", nn(ms.map((m) => m.headTop)));
  stat("eye line (px)", nn(ms.map((m) => m.eyeLine)));
  stat("face width (px)", nn(ms.map((m) => m.faceWidth)));
  stat("centre offset (px)", nn(ms.map((m) => m.centreOffset)));
  stat("background ΔE00 mean", ms.map((m) => m.bgDeltaE));
  stat("background ΔE00 p99", ms.map((m) => m.bgDeltaEp99));
  stat("halo width p95 (px)", ms.map((m) => m.haloP95));
  stat("speck pixels", ms.map((m) => m.specks));
  stat("shoulder roughness (px)", nn(ms.map((m) => m.shoulderRoughness)));
  stat("shoulder fray (px)", nn(ms.map((m) => m.shoulderFray)));
  stat("file size (KB)", withOut.map((r) => r.jpeg!.bytes / 1024));
  stat("JPEG quality", withOut.map((r) => r.jpeg!.quality ?? 0));
  log(`  all baseline: ${withOut.every((r) => r.jpeg!.baseline)}, all 300 dpi: ${withOut.every((r) => r.jpeg!.dpi === 300)}, no extra metadata: ${withOut.every((r) => r.jpeg!.extraSegments.length === 0)}`);
  log();
  log("Per output (eligible marked *): file, head top, eye line, face width, centre, ΔE, halo p95, specks, shoulder roughness, shoulder fray, KB, q, problems");
  for (const r of withOut) {
    const m = r.measured!;
    log(`  ${r.eligible ? "*" : " "} ${r.e.path.padEnd(44)} ${String(m.headTop).padStart(4)} ${m.eyeLine?.toFixed(0).padStart(4)} ${m.faceWidth?.toFixed(0).padStart(4)} ${m.centreOffset?.toFixed(0).padStart(4)} ${m.bgDeltaE.toFixed(2).padStart(5)} ${m.haloP95.toFixed(0).padStart(3)} ${String(m.specks).padStart(4)} ${m.shoulderRoughness === null ? "   -" : m.shoulderRoughness.toFixed(1).padStart(4)} ${m.shoulderFray === null ? "   -" : m.shoulderFray.toFixed(2).padStart(5)} ${(r.jpeg!.bytes / 1024).toFixed(1).padStart(5)} ${String(r.jpeg!.quality).padStart(3)} ${r.specFails!.join(",")}`);
  }

  writeFileSync(path.join(repo, "docs/photo-eval.txt"), lines.join("\n") + "\n");
  await contactSheet(rows.filter((r) => r.image || r.eligible), path.join(repo, "docs/photo-contact-sheet.png"), facesDir);
  console.log(`\nwrote docs/photo-eval.txt and docs/photo-contact-sheet.png`);
}

interface SetRow { e: Entry; buf: Buffer; report: PhotoReport }
type Log = (s?: string) => void;
interface Goals {
  /** issues whose own-check recall must reach `recall` */
  recallIssues?: string[];
  recall?: number;
  studio?: boolean;
}
const FACES_GOALS: Goals = {
  recallIssues: ["mouth_open", "not_frontal", "head_tilted", "eyes_closed", "hat", "tinted_glasses", "accessories", "head_cropped", "grayscale", "low_resolution", "multiple_faces", "background_faces"],
  recall: 0.9,
};
const STUDIO_GOALS: Goals = { studio: true };
const goal = (ok: boolean) => (ok ? "met" : "NOT met");

/**
 * One dev set's figures: the decision (balanced accuracy with an identity-clustered interval), the
 * false refusals and which checks made them, per labelled issue its recall, per check its refusals of
 * compliant photos, the goals of issue #18, and the stability table.
 */
async function decisionTables(name: string, rows: SetRow[], spec: typeof DEFAULT_SPEC, log: Log, seconds: number, noStability: boolean, goals: Goals) {
  const comp = rows.filter((r) => r.e.labels.expected_compliant);
  const non = rows.filter((r) => !r.e.labels.expected_compliant);
  const acc = comp.filter((r) => !refused(r.report)).length;
  const rej = non.filter((r) => refused(r.report)).length;
  const ba = ((acc / Math.max(1, comp.length) + rej / Math.max(1, non.length)) / 2) * 100;
  log(`## ${name}: ${rows.length} photos (${comp.length} labelled compliant, ${non.length} non-compliant), ${seconds.toFixed(0)} s`);
  log(`compliant accepted:      ${acc}/${comp.length} = ${pct(acc, comp.length)}`);
  log(`non-compliant rejected:  ${rej}/${non.length} = ${pct(rej, non.length)}`);
  log(`balanced accuracy:       ${ba.toFixed(1)}%`);
  const ci = identityBootstrap(rows.map((r) => ({ group: identityOf(r.e.path, r.e.identity), compliant: r.e.labels.expected_compliant, rejected: refused(r.report) })));
  log(`  95% interval (identity-clustered bootstrap, ${ci.groups} identities, ${ci.draws} draws): ${ci.lo.toFixed(1)}–${ci.hi.toFixed(1)}%`);
  log("False refusals of labelled-compliant photos (the checks that refused them):");
  for (const r of comp.filter((r) => refused(r.report))) log(`  ${r.e.path}: ${r.report.error ? r.report.error.code + " " : ""}${failed(r.report.checks).join(", ")}`);
  log();
  log("Per labelled issue: photos with it; refused (any check); own check fired (error or warning); own check refused (error)");
  log("issue                 photos  refused          own check fired   own check refused");
  const issues = [...new Set(rows.flatMap((r) => r.e.labels.issues))].sort();
  const recallOf = new Map<string, number>();
  for (const is of issues) {
    const all = rows.filter((r) => r.e.labels.issues.includes(is));
    const ref = all.filter((r) => refused(r.report)).length;
    const own = all.filter((r) => ownFired(is, r.report, false)).length;
    const ownErr = all.filter((r) => ownFired(is, r.report, true)).length;
    recallOf.set(is, own / all.length);
    const cell = (k: number) => `${`${k}/${all.length}`.padEnd(7)} ${pct(k, all.length).padEnd(8)}`;
    log(`${is.padEnd(21)} ${String(all.length).padEnd(7)} ${cell(ref)} ${cell(own)}  ${cell(ownErr)}  (${(ISSUE_CHECKS[is] ?? []).join("/")})`);
  }
  log();
  log("Per check: labelled-compliant photos it failed (false refusals when an error) and non-compliant photos it failed");
  const ids = [...new Set(rows.flatMap((r) => r.report.checks.map((c) => c.id)))];
  for (const id of ids) {
    const fc = comp.filter((r) => r.report.checks.some((c) => c.id === id && !c.passed)).length;
    const fn = non.filter((r) => r.report.checks.some((c) => c.id === id && !c.passed)).length;
    const sev = spec.severity[id as keyof typeof spec.severity];
    log(`  ${id.padEnd(20)} ${sev.padEnd(8)} compliant ${String(fc).padStart(3)}/${comp.length}   non-compliant ${String(fn).padStart(3)}/${non.length}`);
  }
  log();
  log("Goals (issue #18):");
  if (goals.recallIssues) {
    for (const is of goals.recallIssues) {
      const r = recallOf.get(is);
      log(`  ${is.padEnd(18)} own-check recall ${r === undefined ? "n/a (no photo)" : `${(100 * r).toFixed(1)}%`} ≥ ${(100 * goals.recall!).toFixed(0)}%: ${r === undefined ? "n/a" : goal(r >= goals.recall!)}`);
    }
  }
  if (goals.studio) {
    log(`  balanced accuracy ${ba.toFixed(1)}% ≥ 97%: ${goal(ba >= 97)}`);
    const compRef = comp.length - acc;
    log(`  compliant refused in all ${compRef}/${comp.length} = ${pct(compRef, comp.length)} ≤ 2%: ${goal(compRef <= 0.02 * comp.length)}`);
    const accs = rows.filter((r) => r.e.labels.accessories.length > 0);
    const accCaught = accs.filter((r) => fired(r.report.checks).includes("no_accessories")).length;
    const accFront = accs.filter((r) => r.e.labels.frontal);
    const accFrontCaught = accFront.filter((r) => fired(r.report.checks).includes("no_accessories")).length;
    const accFalse = comp.filter((r) => fired(r.report.checks).includes("no_accessories")).length;
    log(`  accessories caught by no_accessories ${accCaught}/${accs.length} = ${pct(accCaught, accs.length)} ≥ 85%: ${goal(accCaught >= 0.85 * accs.length)}  (frontal views ${accFrontCaught}/${accFront.length}; every photo with accessories refused by some check: ${accs.filter((r) => refused(r.report)).length}/${accs.length})`);
    log(`  compliant photos failed by no_accessories ${accFalse}/${comp.length} = ${pct(accFalse, comp.length)} ≤ 2%: ${goal(accFalse <= 0.02 * comp.length)}`);
    const open = rows.filter((r) => r.e.labels.mouth === "open"), closed = rows.filter((r) => r.e.labels.mouth === "closed");
    const openCaught = open.filter((r) => failed(r.report.checks).includes("mouth_closed")).length;
    const closedRef = closed.filter((r) => failed(r.report.checks).includes("mouth_closed")).length;
    log(`  open mouths refused by mouth_closed ${openCaught}/${open.length} = ${pct(openCaught, open.length)} ≥ 90%: ${goal(openCaught >= 0.9 * open.length)}`);
    log(`  closed mouths refused by mouth_closed ${closedRef}/${closed.length} = ${pct(closedRef, closed.length)} ≤ 3%: ${goal(closedRef <= 0.03 * closed.length)}`);
    const tq = rows.filter((r) => r.e.labels.pose === "three_quarter");
    const tqRef = tq.filter((r) => refused(r.report)).length;
    log(`  three-quarter views refused ${tqRef}/${tq.length}: ${goal(tqRef === tq.length)}  (by frontal: ${tq.filter((r) => failed(r.report.checks).includes("frontal")).length})`);
  }
  log();
  if (!noStability) {
    const t1 = performance.now();
    // faces-studio: the frontal views only (its three-quarter views are 45° turns, far past the 22° limit;
    // 2448 more checks would double the evaluation's time)
    const stabRows = goals.studio ? rows.filter((r) => r.e.labels.pose !== "three_quarter") : rows;
    if (goals.studio) log(`(stability on the ${stabRows.length} views that are not three-quarter turns)`);
    const stab = await stability(stabRows.map((r) => ({ path: r.e.path, buf: r.buf, report: r.report, compliant: r.e.labels.expected_compliant })), spec, refused);
    process.stderr.write("\n");
    for (const line of stabilityTable(stab, (performance.now() - t1) / 1000)) log(line);
    log();
  }
}

async function contactSheet(rows: Array<{ e: Entry; image?: Buffer; inSpec?: boolean; eligible: boolean; std: StandardizeReport }>, out: string, dir: string) {
  const TH = 128, OW = 96, IW = 120, PAD = 5, LABEL = 13;
  const cellW = IW + OW + 3 * PAD, cellH = TH + LABEL + 2 * PAD;
  const cols = 7;
  const tiles: sharp.OverlayOptions[] = [];
  let i = 0;
  for (const r of rows) {
    const x = (i % cols) * cellW, y = Math.floor(i / cols) * cellH;
    const input = await sharp(readFileSync(path.join(dir, r.e.path))).rotate().resize(IW, TH, { fit: "contain", background: "#222" }).png().toBuffer();
    tiles.push({ input, left: x + PAD, top: y + PAD });
    if (r.image) tiles.push({ input: await sharp(r.image).resize(OW, TH).png().toBuffer(), left: x + IW + 2 * PAD, top: y + PAD });
    const colour = !r.image ? "#f66" : r.std.compliant ? "#6f6" : "#fc6";
    const name = path.basename(r.e.path).replace(/\.[^.]+$/, "").slice(0, 30);
    const status = !r.image ? "refused" : `${r.std.compliant ? "compliant" : "not compliant"}${r.inSpec ? "" : " OUT OF SPEC"}`;
    tiles.push({ input: Buffer.from(`<svg width="${cellW}" height="${LABEL}"><text x="${PAD}" y="11" font-family="DejaVu Sans, sans-serif" font-size="10" fill="${colour}">${escapeXml(name)} · ${status}</text></svg>`), left: x, top: y + TH + PAD + 2 });
    i++;
  }
  const rowsN = Math.ceil(i / cols);
  await sharp({ create: { width: cols * cellW, height: rowsN * cellH, channels: 3, background: "#111" } }).composite(tiles).png({ palette: true, colours: 256, effort: 8, compressionLevel: 9 }).toFile(out);
}

/** The old background, approximated by the median colour of the source photo's outer border. */
async function borderColour(buf: Buffer): Promise<[number, number, number]> {
  const { data, info } = await sharp(buf).rotate().removeAlpha().resize(200, 200, { fit: "fill" }).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const px: number[][] = [[], [], []];
  for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) {
    if (y > 12 && x > 12 && x < 187) continue; // top strip and both side strips (not the bottom: clothes)
    for (let c = 0; c < 3; c++) px[c]!.push(data[(y * 200 + x) * ch + c]!);
  }
  return px.map((v) => v.sort((a, b) => a - b)[v.length >> 1]!) as [number, number, number];
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

await main();
