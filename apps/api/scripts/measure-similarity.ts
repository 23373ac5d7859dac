/**
 * Measures the "different photos" signals (docs/face-comparison.md, "Different photos") on the dev sets:
 * perceptual-hash distance and face-embedding cosine for re-encoded / resized copies, studio re-takes
 * (same session, same pose, other expression), other photos of the same person and other people.
 * Run: pnpm --filter @gradphoto/api measure:similarity
 */
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { createFaceComparer } from "@gradphoto/face";
import path from "node:path";
import { fingerprint, samePhoto, type PhotoFingerprint } from "../src/services/photo-similarity.js";

const testdataDir = (...p: string[]) => path.join(process.env.SHARED_DIR ?? path.resolve(import.meta.dirname, "../../../../shared"), "testdata", ...p);
interface F { path: string; identity: string; labels: { faces: number } }
const faces = (JSON.parse(readFileSync(testdataDir("faces", "manifest.json"), "utf8")) as { files: F[] }).files.filter((f) => f.labels.faces === 1);
const studio = (JSON.parse(readFileSync(testdataDir("faces-studio", "manifest.json"), "utf8")) as { files: F[] }).files;

const comparer = await createFaceComparer({ parallel: false });
const fp = new Map<string, PhotoFingerprint>();
async function fpOf(key: string, bytes: Buffer) {
  let f = fp.get(key);
  if (!f) fp.set(key, (f = await fingerprint(bytes, comparer)));
  return f;
}
const rows: Record<string, Array<{ d: number; c: number | null; kind: string | null }>> = {};
const add = (group: string, a: PhotoFingerprint, b: PhotoFingerprint) => {
  const v = samePhoto(a, b);
  (rows[group] ??= []).push({ d: v.distance, c: v.cosine, kind: v.kind });
};

for (const f of faces) {
  const bytes = readFileSync(testdataDir("faces", f.path));
  const orig = await fpOf(f.path, bytes);
  const meta = await sharp(bytes).metadata();
  const q60 = await sharp(bytes).jpeg({ quality: 60 }).toBuffer();
  const half = await sharp(bytes).resize(Math.max(64, Math.round((meta.width ?? 400) * 0.5))).png().toBuffer();
  const up = await sharp(bytes).resize(Math.round((meta.width ?? 400) * 1.5)).jpeg({ quality: 85 }).toBuffer();
  add("re-encoded (JPEG q60)", orig, await fingerprint(q60, comparer));
  add("resized 0.5× (PNG)", orig, await fingerprint(half, comparer));
  add("resized 1.5× + JPEG q85", orig, await fingerprint(up, comparer));
}
for (let i = 0; i < faces.length; i++) {
  for (let k = i + 1; k < faces.length; k++) {
    const a = faces[i]!, b = faces[k]!;
    const same = a.identity === b.identity;
    if (!same && (i * 31 + k) % 7 !== 0) continue; // a sample of the other-person pairs
    add(same ? "faces: same person, other photo" : "faces: other person", await fpOf(a.path, readFileSync(testdataDir("faces", a.path))), await fpOf(b.path, readFileSync(testdataDir("faces", b.path))));
  }
}
const byId = new Map<string, Map<string, string>>();
for (const f of studio) {
  const view = f.path.slice(-6, -4);
  (byId.get(f.identity) ?? byId.set(f.identity, new Map()).get(f.identity)!).set(view, f.path);
}
const sfp = (p: string) => fpOf(p, readFileSync(testdataDir("faces-studio", p)));
const ids = [...byId.keys()];
for (const [n, id] of ids.entries()) {
  const v = byId.get(id)!;
  for (const [x, y] of [["03", "08"], ["02", "07"], ["04", "09"]] as const) if (v.get(x) && v.get(y)) add("studio re-take: same pose, other expression", await sfp(v.get(x)!), await sfp(v.get(y)!));
  if (v.get("03") && v.get("02")) add("studio same session, turned 45°", await sfp(v.get("03")!), await sfp(v.get("02")!));
  const other = byId.get(ids[(n + 1) % ids.length]!)!;
  if (v.get("03") && other.get("03")) add("studio: other person, same setting", await sfp(v.get("03")!), await sfp(other.get("03")!));
}
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]! : NaN; };
console.log("group | n | distance min / median / max | cosine min / median / max | judged same");
for (const [g, r] of Object.entries(rows)) {
  const d = r.map((x) => x.d), c = r.flatMap((x) => (x.c === null ? [] : [x.c]));
  const same = r.filter((x) => x.kind).length;
  console.log(`${g} | ${r.length} | ${q(d, 0)} / ${q(d, 0.5)} / ${q(d, 1)} | ${q(c, 0).toFixed(3)} / ${q(c, 0.5).toFixed(3)} / ${q(c, 1).toFixed(3)} | ${same}/${r.length}`);
}
// where the two populations meet: the closest "different" pairs and the farthest "same" ones
const diffGroups = ["faces: same person, other photo", "faces: other person", "studio: other person, same setting", "studio same session, turned 45°"];
for (const g of diffGroups) {
  const r = rows[g] ?? [];
  const near = r.filter((x) => x.d <= 26).sort((a, b) => a.d - b.d).slice(0, 8).map((x) => `${x.d}/${x.c?.toFixed(2)}`);
  console.log(`closest in "${g}": ${near.join(" ")}`);
}
// the capture rule at other settings: re-takes caught vs different photos taken for the same capture
const different = diffGroups.flatMap((g) => (g === "studio same session, turned 45°" ? [] : rows[g] ?? []));
for (const [dMax, cMin] of [[14, 0.8], [16, 0.8], [16, 0.85], [18, 0.85], [20, 0.85], [22, 0.8], [16, 0.9]] as const) {
  const caught = (r: Array<{ d: number; c: number | null }>) => r.filter((x) => x.d <= dMax && (x.c ?? -1) >= cMin).length;
  console.log(`capture rule distance ≤ ${dMax}, cosine ≥ ${cMin}: re-takes ${caught(rows["studio re-take: same pose, other expression"] ?? [])}/${(rows["studio re-take: same pose, other expression"] ?? []).length}, turned ${caught(rows["studio same session, turned 45°"] ?? [])}/${(rows["studio same session, turned 45°"] ?? []).length}, other photos ${caught(different)}/${different.length}`);
}
const retakes = rows["studio re-take: same pose, other expression"] ?? [];
console.log(`re-takes (distance/cosine) farthest: ${[...retakes].sort((a, b) => b.d - a.d).slice(0, 8).map((x) => `${x.d}/${x.c?.toFixed(2)}`).join(" ")}; lowest cosine: ${[...retakes].sort((a, b) => (a.c ?? 0) - (b.c ?? 0)).slice(0, 6).map((x) => `${x.d}/${x.c?.toFixed(2)}`).join(" ")}`);
await comparer.close();
