/**
 * Verdict stability under capture variation, for `pnpm eval:photo`: the same photo re-encoded, rescaled
 * or exposed a little differently (as two shots on two phones would be) should get the same verdict. A
 * check whose verdict flips under such changes sits on a threshold its measurement cannot hold.
 */
import sharp from "sharp";
import { check, type PhotoReport, type PhotoSpec } from "../src/index.js";

export const VARIANTS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  "JPEG q80": (b) => sharp(b).rotate().jpeg({ quality: 80 }).toBuffer(),
  "0.75× size": async (b) => {
    const m = await sharp(b).rotate().toBuffer({ resolveWithObject: true });
    return sharp(m.data).resize(Math.round(m.info.width * 0.75)).jpeg({ quality: 92 }).toBuffer();
  },
  "2× size": async (b) => {
    const m = await sharp(b).rotate().toBuffer({ resolveWithObject: true });
    return sharp(m.data).resize(m.info.width * 2, null, { kernel: "lanczos3" }).jpeg({ quality: 92 }).toBuffer();
  },
  "8 % darker": (b) => sharp(b).rotate().modulate({ brightness: 0.92 }).jpeg({ quality: 92 }).toBuffer(),
  "4 % brighter": (b) => sharp(b).rotate().modulate({ brightness: 1.04 }).jpeg({ quality: 92 }).toBuffer(),
  "8 % brighter": (b) => sharp(b).rotate().modulate({ brightness: 1.08 }).jpeg({ quality: 92 }).toBuffer(),
};

export interface StabilityRow {
  variant: string;
  photos: number;
  /** photos whose decision (as `reject` computes it) changed */
  decisionFlips: string[];
  /** labelled-compliant photos accepted as taken and refused in the variant */
  newlyRefused: string[];
  /** per check id: photos whose pass/fail changed */
  checkFlips: Map<string, number>;
}

const failing = (r: PhotoReport) => new Set(r.checks.filter((c) => !c.passed && c.severity === "error").map((c) => c.id));

/** Every variant of every photo that had a face as taken (each `report`: check() of the photo with the same spec). */
export async function stability(
  photos: Array<{ path: string; buf: Buffer; report: PhotoReport; compliant: boolean }>,
  spec: PhotoSpec,
  reject: (r: PhotoReport) => boolean,
): Promise<StabilityRow[]> {
  const out: StabilityRow[] = [];
  const usable = photos.filter((p) => !p.report.error);
  for (const [variant, make] of Object.entries(VARIANTS)) {
    const row: StabilityRow = { variant, photos: usable.length, decisionFlips: [], newlyRefused: [], checkFlips: new Map() };
    for (const p of usable) {
      const r = await check(await make(p.buf), spec);
      if (reject(r) !== reject(p.report)) row.decisionFlips.push(p.path);
      if (p.compliant && !reject(p.report) && reject(r)) row.newlyRefused.push(p.path);
      const a = failing(p.report), b = failing(r);
      for (const id of new Set([...a, ...b])) if (a.has(id) !== b.has(id)) row.checkFlips.set(id, (row.checkFlips.get(id) ?? 0) + 1);
      if (!!r.error !== !!p.report.error) row.checkFlips.set(`error ${r.error?.code}`, (row.checkFlips.get(`error ${r.error?.code}`) ?? 0) + 1);
    }
    out.push(row);
    process.stderr.write("s");
  }
  return out;
}

/** The evaluation's lines for `rows` (`seconds`: how long the variants took). */
export function stabilityTable(rows: StabilityRow[], seconds: number): string[] {
  const out = [
    `## Stability: the same photo re-encoded, rescaled or exposed differently (check() on ${rows[0]?.photos ?? 0} photos with a face, ${seconds.toFixed(0)} s)`,
    "variant         labelled-rule decision changed   compliant photos newly refused   checks whose verdict changed",
  ];
  for (const s of rows) {
    const flips = [...s.checkFlips].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} ${n}`).join(", ");
    out.push(`  ${s.variant.padEnd(14)} ${`${s.decisionFlips.length}/${s.photos}`.padEnd(32)} ${String(s.newlyRefused.length).padEnd(32)} ${flips || "none"}`);
    if (s.newlyRefused.length) out.push(`    newly refused: ${s.newlyRefused.join(", ")}`);
  }
  return out;
}
