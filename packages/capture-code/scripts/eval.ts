/**
 * Decoding accuracy and speed on the dev set (`../shared/testdata/capture-codes`): our pipeline
 * beside plain single-pass jsQR on the same images.
 *
 *   pnpm eval:code [--verbose] [--json] [--repeat=N]
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { decodeQrImage, plainJsQr } from "../src/decode/index.js";
import { isCaptureCodeError } from "../src/errors.js";
import { captureCodesDir, percentile, readManifest } from "./dataset.js";

export interface DecoderSummary {
  name: string;
  correct: number;
  wrong: number;
  failed: number;
  total: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Process CPU time (all threads, libvips included): less sensitive to other load than wall time. */
  medianCpuMs: number;
  p95CpuMs: number;
}

export interface EvalRow {
  file: string;
  kind: string;
  expected: string | null;
  ours: { text: string | null; ms: number; cpuMs: number; strategy?: string; error?: string };
  plain: { text: string | null; ms: number; cpuMs: number };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

type Outcome = "correct" | "wrong" | "failed";
export function outcome(expected: string | null, got: string | null): Outcome {
  if (got === null) return expected === null ? "correct" : "failed";
  return got === expected ? "correct" : "wrong";
}

function summarise(name: string, rows: Array<{ expected: string | null; text: string | null; ms: number; cpuMs: number }>): DecoderSummary {
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const cpu = rows.map((r) => r.cpuMs).sort((a, b) => a - b);
  const count = (o: Outcome): number => rows.filter((r) => outcome(r.expected, r.text) === o).length;
  return {
    name,
    correct: count("correct"),
    wrong: count("wrong"),
    failed: count("failed"),
    total: rows.length,
    medianMs: percentile(ms, 0.5),
    p95Ms: percentile(ms, 0.95),
    maxMs: ms[ms.length - 1] ?? NaN,
    medianCpuMs: percentile(cpu, 0.5),
    p95CpuMs: percentile(cpu, 0.95),
  };
}

/** Run both decoders over the dev set (one warm-up decode first, not counted). */
export async function evaluate(opts: { dir?: string; plain?: boolean; repeat?: number } = {}): Promise<{ rows: EvalRow[]; ours: DecoderSummary; plain?: DecoderSummary }> {
  const dir = opts.dir ?? captureCodesDir();
  const manifest = await readManifest(dir);
  const withPlain = opts.plain ?? true;
  const repeat = Math.max(1, opts.repeat ?? 1);
  const first = manifest[0];
  if (first) {
    const warm = await readFile(path.join(dir, first.file));
    await decodeQrImage(warm).catch(() => undefined);
    if (withPlain) await plainJsQr(warm);
  }
  const rows: EvalRow[] = [];
  for (const m of manifest) {
    const bytes = await readFile(path.join(dir, m.file));
    const oursRuns: EvalRow["ours"][] = [];
    const plainRuns: EvalRow["plain"][] = [];
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        const r = await decodeQrImage(bytes);
        oursRuns.push({ text: r.text, ms: performance.now() - t, cpuMs: cpuSince(c), strategy: r.strategy });
      } catch (e) {
        if (!isCaptureCodeError(e)) throw e;
        oursRuns.push({ text: null, ms: performance.now() - t, cpuMs: cpuSince(c), error: e.code });
      }
      if (withPlain) {
        const tp = performance.now();
        const cp = process.cpuUsage();
        const text = await plainJsQr(bytes);
        plainRuns.push({ text, ms: performance.now() - tp, cpuMs: cpuSince(cp) });
      }
    }
    // Per image: the run with the median time (results are deterministic apart from the time budget).
    const mid = <T extends { ms: number }>(runs: T[]): T => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
    const ours = mid(oursRuns);
    const plain: EvalRow["plain"] = withPlain ? mid(plainRuns) : { text: null, ms: NaN, cpuMs: NaN };
    rows.push({ file: m.file, kind: m.kind, expected: m.text, ours, plain });
  }
  return {
    rows,
    ours: summarise("ours", rows.map((r) => ({ expected: r.expected, ...r.ours }))),
    ...(withPlain ? { plain: summarise("plain jsQR", rows.map((r) => ({ expected: r.expected, ...r.plain }))) } : {}),
  };
}

export function formatSummary(s: DecoderSummary): string {
  const pct = ((100 * s.correct) / s.total).toFixed(1);
  return `${s.name.padEnd(11)} correct ${String(s.correct).padStart(3)}/${s.total} (${pct}%)  wrong ${s.wrong}  failed ${s.failed}  median ${s.medianMs.toFixed(0)} ms  p95 ${s.p95Ms.toFixed(0)} ms  max ${s.maxMs.toFixed(0)} ms  (CPU median ${s.medianCpuMs.toFixed(0)} ms, p95 ${s.p95CpuMs.toFixed(0)} ms)`;
}

async function main(): Promise<void> {
  const verbose = process.argv.includes("--verbose");
  const json = process.argv.includes("--json");
  const repeatArg = process.argv.find((a) => a.startsWith("--repeat="));
  const repeat = repeatArg ? Number(repeatArg.slice("--repeat=".length)) : 1;
  const { rows, ours, plain } = await evaluate({ repeat });
  if (json) {
    console.log(JSON.stringify({ ours, plain, rows: rows.map((r) => ({ ...r, expected: undefined, ok: outcome(r.expected, r.ours.text) })) }, null, 2));
    return;
  }
  if (verbose) {
    for (const r of rows) {
      const o = outcome(r.expected, r.ours.text);
      const p = outcome(r.expected, r.plain.text);
      console.log(
        `${r.file.padEnd(30)} ours ${o.padEnd(7)} ${r.ours.ms.toFixed(0).padStart(5)} ms ${(r.ours.strategy ?? r.ours.error ?? "").padEnd(20)} plain ${p.padEnd(7)} ${r.plain.ms.toFixed(0).padStart(5)} ms`,
      );
    }
  }
  const kinds = [...new Set(rows.map((r) => r.kind))];
  console.log(
    "per kind (ours / plain correct): " +
      kinds
        .map((k) => {
          const ks = rows.filter((r) => r.kind === k);
          const c = (f: (r: EvalRow) => string | null) => ks.filter((r) => outcome(r.expected, f(r)) === "correct").length;
          return `${k} ${c((r) => r.ours.text)}/${c((r) => r.plain.text)} of ${ks.length}`;
        })
        .join(", "),
  );
  console.log(formatSummary(ours));
  if (plain) console.log(formatSummary(plain));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
