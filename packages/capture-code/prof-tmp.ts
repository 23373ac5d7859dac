import { readFile } from "node:fs/promises";
import jsQR from "jsqr";
import { loadGray, probeImage } from "./src/decode/load.js";
import { binarize } from "./src/decode/binarize.js";
import { findFinderCandidates, symbolRegions } from "./src/decode/finder.js";
import { toRgba } from "./src/decode/gray.js";
const dir = "/work/shared/testdata/capture-codes/";
for (const f of ["a-01-card.png","a-01-card.png","b-03-screenshot.png","d-01-photo.jpg","g-02-far-photo.jpg","f-01-lowcontrast.png"]) {
  const bytes = await readFile(dir + f);
  let t = performance.now();
  const info = await probeImage(bytes);
  const t0 = performance.now() - t; t = performance.now();
  for (const P of [1.2e6, 0.6e6, 0.3e6]) {
  const s = Math.min(1, Math.sqrt(P / (info.width * info.height)));
  t = performance.now();
  const g = await loadGray(bytes, info, s);
  const t1 = performance.now() - t; t = performance.now();
  const minSide = Math.min(g.width, g.height);
  const block = Math.max(4, Math.round(minSide / 120));
  const bin = binarize(g, { block, radius: Math.max(2, Math.round(minSide / 10 / block)), minRange: 10 });
  const t2 = performance.now() - t; t = performance.now();
  const c = findFinderCandidates(bin);
  const regs = symbolRegions(c, g.width, g.height);
  const t3 = performance.now() - t; t = performance.now();
  const rgba = toRgba(g);
  const t4 = performance.now() - t; t = performance.now();
  const r = jsQR(rgba, g.width, g.height, { inversionAttempts: "dontInvert" });
  const t5 = performance.now() - t;
  console.log(f.padEnd(24), `${g.width}x${g.height}`, "probe", t0.toFixed(1), "load", t1.toFixed(0), "bin", t2.toFixed(0), "finder", t3.toFixed(0), c.length, regs.length, regs[0]?.module.toFixed(1), "rgba", t4.toFixed(0), "jsqr", t5.toFixed(0), !!r);
  }
}
