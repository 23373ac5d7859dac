import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { decodeRgb, detectFaces } from "@gradphoto/vision";
const root = "/work/shared/testdata/faces";
const m = JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8"));
const files = m.files.filter((f: any) => !f.path.startsWith("compliance"));
async function degrade(buf: Buffer) {
  return sharp(buf).rotate().resize({ width: 150 }).grayscale().jpeg({ quality: 40 }).toBuffer();
}
for (const deg of [false, true]) {
  const res: Record<string, number[]> = {};
  const tgt = [160, 240, 320, 480, 640];
  for (const f of files) {
    let buf = readFileSync(path.join(root, f.path));
    if (deg) buf = await degrade(buf);
    const img = await decodeRgb(buf);
    for (const t of tgt) for (const th of [0.6, 0.3]) {
      const d = await detectFaces(img, { targetLongSide: t, scoreThreshold: th });
      const k = `${t}@${th}`;
      (res[k] ??= []).push(d.length ? d[0]!.score : 0);
    }
  }
  console.log(deg ? "degraded" : "clean");
  for (const [k, v] of Object.entries(res)) console.log(k, "found", v.filter((x) => x > 0).length, "/", v.length, "median", v.sort()[Math.floor(v.length / 2)]!.toFixed(3));
}
