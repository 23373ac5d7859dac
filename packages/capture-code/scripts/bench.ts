/**
 * Speed of the capture-code decoder: median and p95 per image over the dev set, beside plain
 * single-pass jsQR on the same images. `benchDecode()` is what the root `pnpm bench` calls;
 * run alone with `tsx packages/capture-code/scripts/bench.ts [--repeat=N]`.
 */
import { pathToFileURL } from "node:url";
import { evaluate, formatSummary, type DecoderSummary } from "./eval.js";

export interface DecodeBenchResult {
  name: "capture-code decode";
  images: number;
  repeat: number;
  ours: DecoderSummary;
  plain: DecoderSummary;
}

/** Decode every dev-set image `repeat` times with both decoders; prints and returns the figures. */
export async function benchDecode(opts: { repeat?: number; print?: boolean } = {}): Promise<DecodeBenchResult> {
  const repeat = opts.repeat ?? 3;
  const { rows, ours, plain } = await evaluate({ repeat, plain: true });
  const result: DecodeBenchResult = { name: "capture-code decode", images: rows.length, repeat, ours, plain: plain! };
  if (opts.print ?? true) {
    console.log(`capture-code decode: ${rows.length} images, per-image median of ${repeat} runs`);
    console.log(`  ${formatSummary(ours)}`);
    console.log(`  ${formatSummary(plain!)}`);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const arg = process.argv.find((a) => a.startsWith("--repeat="));
  benchDecode({ repeat: arg ? Number(arg.slice("--repeat=".length)) : 3 }).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
