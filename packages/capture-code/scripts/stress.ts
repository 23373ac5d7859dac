/**
 * Robustness check beyond the dev set: every dev-set image that holds a code is degraded further
 * (rotated 30°/45°, blurred, shrunk and recompressed, low contrast, dark, inverted) and decoded by
 * our pipeline and by plain jsQR. Nothing here was used to tune the decoder.
 *
 *   tsx packages/capture-code/scripts/stress.ts [variant]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { decodeQrImage, plainJsQr } from "../src/decode/index.js";
import { captureCodesDir, percentile, readManifest } from "./dataset.js";

const variants: Record<string, (b: Buffer) => Promise<Buffer>> = {
  rot30: (b) => sharp(b).rotate().rotate(30, { background: "#ffffff" }).jpeg({ quality: 85 }).toBuffer(),
  rot45: (b) => sharp(b).rotate().rotate(45, { background: "#808080" }).jpeg({ quality: 85 }).toBuffer(),
  blur: (b) => sharp(b).rotate().blur(1.6).jpeg({ quality: 85 }).toBuffer(),
  small: async (b) => {
    const m = await sharp(b).rotate().metadata();
    return sharp(b).rotate().resize({ width: Math.round((m.autoOrient?.width ?? m.width!) * 0.45) }).jpeg({ quality: 40 }).toBuffer();
  },
  lowcontrast: (b) => sharp(b).rotate().linear(0.25, 150).jpeg({ quality: 85 }).toBuffer(),
  dark: (b) => sharp(b).rotate().linear(0.35, 10).jpeg({ quality: 80 }).toBuffer(),
  negate: (b) => sharp(b).rotate().negate({ alpha: false }).png().toBuffer(),
};

async function main(): Promise<void> {
  const dir = captureCodesDir();
  const manifest = (await readManifest(dir)).filter((m) => m.text !== null);
  const only = process.argv[2];
  const strategies = new Map<string, number>();
  for (const [name, degrade] of Object.entries(variants)) {
    if (only && name !== only) continue;
    const ours = { correct: 0, wrong: 0, failed: 0, ms: [] as number[] };
    const plain = { correct: 0, wrong: 0, failed: 0 };
    const failed: string[] = [];
    for (const m of manifest) {
      const img = await degrade(await readFile(path.join(dir, m.file)));
      const t = performance.now();
      let got: string | null = null;
      try {
        const r = await decodeQrImage(img, { timeBudgetMs: 10_000 });
        got = r.text;
        strategies.set(r.strategy, (strategies.get(r.strategy) ?? 0) + 1);
      } catch {
        // unreadable
      }
      ours.ms.push(performance.now() - t);
      if (got === null) {
        ours.failed++;
        failed.push(m.file);
      } else if (got === m.text) ours.correct++;
      else ours.wrong++;
      const p = await plainJsQr(img);
      if (p === null) plain.failed++;
      else if (p === m.text) plain.correct++;
      else plain.wrong++;
    }
    const ms = ours.ms.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(12)} ours ${ours.correct}/${manifest.length} wrong ${ours.wrong} (median ${percentile(ms, 0.5).toFixed(0)} ms) | plain jsQR ${plain.correct}/${manifest.length} wrong ${plain.wrong}${failed.length ? ` | ours failed: ${failed.join(" ")}` : ""}`,
    );
  }
  console.log(`winning strategies: ${[...strategies].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
