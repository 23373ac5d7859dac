import { readFile } from "node:fs/promises";
import sharp from "sharp";
const bytes = await readFile("/work/shared/testdata/capture-codes/d-01-photo.jpg");
console.log(sharp.concurrency(), sharp.versions);
const variants: Record<string, () => sharp.Sharp> = {
  plainResize: () => sharp(bytes).resize(949, 1265),
  rotResize: () => sharp(bytes).rotate().resize(949, 1265),
  fullRotFlatten: () => sharp(bytes, { failOn: "error", limitInputPixels: 5e7 }).rotate().flatten({ background: "#fff" }).resize(949, 1265, { fit: "fill", kernel: "lanczos3" }).grayscale(),
  noFlatten: () => sharp(bytes, { failOn: "error" }).rotate().resize(949, 1265, { fit: "fill" }).grayscale(),
  widthOnly: () => sharp(bytes).resize({ width: 949 }).grayscale(),
  shrink4: () => sharp(bytes).resize({ width: 756 }).grayscale(),
  noResize: () => sharp(bytes).grayscale(),
};
for (let rep = 0; rep < 2; rep++) for (const [k, f] of Object.entries(variants)) {
  const t = performance.now();
  const { info } = await f().raw().toBuffer({ resolveWithObject: true });
  console.log(k.padEnd(16), (performance.now() - t).toFixed(0), info.width, info.height, info.channels);
}
