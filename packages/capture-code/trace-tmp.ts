import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { decodeQrImage } from "./src/decode/index.js";
import { loadGray, probeImage } from "./src/decode/load.js";
import { binarize } from "./src/decode/binarize.js";
import { findFinderCandidates, symbolRegions } from "./src/decode/finder.js";
const dir = "/work/shared/testdata/capture-codes/";
const cases: Array<[string, (b: Buffer) => Promise<Buffer>]> = [
  ["f-04-lowcontrast-photo.jpg", (b) => sharp(b).rotate().rotate(30, { background: "#ffffff" }).jpeg({ quality: 85 }).toBuffer()],
  ["e-02-photo-exif.jpg", (b) => sharp(b).rotate().rotate(45, { background: "#808080" }).jpeg({ quality: 85 }).toBuffer()],
];
for (const [f, fn] of cases) {
  const img = await fn(await readFile(dir + f));
  const info = await probeImage(img);
  const s = Math.min(1, Math.sqrt(1.2e6 / (info.width * info.height)));
  const g = await loadGray(img, info, s);
  const minSide = Math.min(g.width, g.height);
  const block = Math.max(4, Math.round(minSide / 120));
  const bin = binarize(g, { block, radius: Math.max(2, Math.round(minSide / 10 / block)), minRange: 10 });
  const c = findFinderCandidates(bin);
  console.log(f, g.width, g.height, "cands", c.slice(0, 8).map((x) => `${x.x.toFixed(0)},${x.y.toFixed(0)} m${x.module.toFixed(1)} h${x.hits}${x.inverted ? "i" : ""}`).join(" | "));
  console.log(" regions", symbolRegions(c, g.width, g.height, 4).map((r) => JSON.stringify(r.rect) + " m" + r.module.toFixed(1) + " s" + r.score.toFixed(1)).join(" "));
  await sharp(bin.data, { raw: { width: g.width, height: g.height, channels: 1 } }).png().toFile(`/tmp/cc-scratch/${f}.bin.png`);
  const log: string[] = [];
  try { const r = await decodeQrImage(img, { timeBudgetMs: 20000, onAttempt: (a) => log.push(`${a.strategy} ${a.width}x${a.height} ${a.ms.toFixed(0)}`) }); log.push("OK " + r.strategy); } catch (e) { log.push(String((e as Error).message).slice(0, 20)); }
  console.log("  " + log.join("\n  "));
}
