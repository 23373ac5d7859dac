import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { CheckValue, PhotoOrigin } from "./checks.js";
import { PhotoError, toErrorInfo, type PhotoErrorInfo } from "./errors.js";
import { loadPhotoModels } from "./models.js";
import { check, standardize, type PhotoReport } from "./pipeline.js";
import { BackgroundSchema, photoSpec, type PhotoSpec, type PhotoSpecInput } from "./spec.js";

export interface CliCheck {
  id: string;
  passed: boolean;
  message: string;
  severity: "error" | "warning";
  value?: CheckValue;
}

export interface CheckCliResult {
  file: string;
  compliant: boolean;
  checks: CliCheck[];
  error?: PhotoErrorInfo;
}

export interface StandardizeCliResult extends CheckCliResult {
  out: string | null;
  print: string | null;
  width: number | null;
  height: number | null;
  bytes: number | null;
  quality: number | null;
}

export interface RunCheckOptions {
  /** campaign spec (partial; defaults filled in) */
  spec?: PhotoSpecInput;
  /** album uploads are held to the notice's input rule */
  origin?: PhotoOrigin;
  /** base for relative paths (default: INIT_CWD set by pnpm, else the process cwd) */
  cwd?: string;
}

export interface RunStandardizeOptions extends RunCheckOptions {
  outDir: string;
  background?: string;
  minKb?: number;
  maxKb?: number;
}

/** Thrown for bad options (the CLI exits non-zero); per-file problems never throw. */
export class UsageError extends Error {
  override name = "UsageError";
}

const baseDir = (cwd?: string) => cwd ?? process.env.INIT_CWD ?? process.cwd();

function toCli(report: PhotoReport): CliCheck[] {
  return report.checks.map((c) => ({ id: c.id, passed: c.passed, message: c.message, severity: c.severity, ...(c.value !== null && c.value !== undefined ? { value: c.value } : {}) }));
}

async function readInput(file: string, spec: PhotoSpec): Promise<Buffer> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new PhotoError("FILE_NOT_FOUND", `不是文件：${file}`);
    size = st.size;
  } catch (e) {
    if (e instanceof PhotoError) throw e;
    throw new PhotoError("FILE_NOT_FOUND", `找不到文件：${file}`);
  }
  if (size > spec.input.maxBytes) {
    throw new PhotoError("IMAGE_TOO_LARGE", `文件过大（${(size / 1048576).toFixed(1)} MB），请上传不超过 ${(spec.input.maxBytes / 1048576).toFixed(0)} MB 的照片`);
  }
  return readFile(file);
}

function parseSpec(input: PhotoSpecInput | undefined): PhotoSpec {
  try {
    return photoSpec(input ?? {});
  } catch (e) {
    throw new UsageError(`invalid photo spec: ${e instanceof z.ZodError ? z.prettifyError(e) : String(e)}`);
  }
}

/** `gradphoto check <image>... --json`: one result per file, in input order. Models load once. */
export async function runCheck(files: string[], opts: RunCheckOptions = {}): Promise<CheckCliResult[]> {
  const spec = parseSpec(opts.spec);
  await loadPhotoModels();
  const results: CheckCliResult[] = [];
  for (const file of files) {
    const abs = path.resolve(baseDir(opts.cwd), file);
    try {
      const buf = await readInput(abs, spec);
      const report = await check(buf, spec, { origin: opts.origin ?? "camera" });
      results.push({ file, compliant: report.compliant, checks: toCli(report), ...(report.error ? { error: report.error } : {}) });
    } catch (e) {
      results.push({ file, compliant: false, checks: [], error: toErrorInfo(e) });
    }
  }
  return results;
}

/** `gradphoto standardize <image>... --out-dir <dir> [--background …] [--min-kb N] [--max-kb N] --json`. */
export async function runStandardize(files: string[], opts: RunStandardizeOptions): Promise<StandardizeCliResult[]> {
  if (!opts.outDir) throw new UsageError("--out-dir is required");
  const bg = opts.background === undefined ? undefined : BackgroundSchema.safeParse(normaliseBackground(opts.background));
  if (bg && !bg.success) throw new UsageError(`--background must be blue, white, grey or #RRGGBB (got "${opts.background}")`);
  for (const [k, v] of [["--min-kb", opts.minKb], ["--max-kb", opts.maxKb]] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new UsageError(`${k} must be a positive number`);
  }
  const base = opts.spec ?? {};
  const spec = parseSpec({
    ...base,
    output: {
      ...(base.output ?? {}),
      ...(bg?.success ? { background: bg.data } : {}),
      ...(opts.minKb !== undefined ? { minKb: opts.minKb } : {}),
      ...(opts.maxKb !== undefined ? { maxKb: opts.maxKb } : {}),
    },
  });
  const outDir = path.resolve(baseDir(opts.cwd), opts.outDir);
  await mkdir(outDir, { recursive: true });
  await loadPhotoModels();
  const used = new Set<string>();
  const results: StandardizeCliResult[] = [];
  for (const file of files) {
    const abs = path.resolve(baseDir(opts.cwd), file);
    const empty = { out: null, print: null, width: null, height: null, bytes: null, quality: null };
    try {
      const buf = await readInput(abs, spec);
      const { report, image, print } = await standardize(buf, spec, { origin: opts.origin ?? "camera" });
      let out: string | null = null, printOut: string | null = null;
      if (image && report.output) {
        const stem = uniqueStem(path.basename(file).replace(/\.[^.]+$/, "") || "photo", used);
        out = path.join(outDir, `${stem}.jpg`);
        await writeFile(out, image);
        if (print) {
          printOut = path.join(outDir, `${stem}.print.jpg`);
          await writeFile(printOut, print);
        }
      }
      results.push({
        file,
        ...empty,
        out,
        print: printOut,
        ...(report.output ? { width: report.output.width, height: report.output.height, bytes: report.output.bytes, quality: report.output.quality } : {}),
        compliant: report.compliant,
        checks: toCli(report),
        ...(report.error ? { error: report.error } : {}),
      });
    } catch (e) {
      results.push({ file, ...empty, compliant: false, checks: [], error: toErrorInfo(e) });
    }
  }
  return results;
}

function normaliseBackground(v: string): string {
  const s = v.trim().toLowerCase();
  if (s === "gray" || s === "lightgrey" || s === "light-grey") return "grey";
  if (/^[0-9a-f]{6}$/.test(s)) return `#${s}`;
  return s.startsWith("#") ? s.toUpperCase().replace(/^#/, "#") : s;
}

function uniqueStem(stem: string, used: Set<string>): string {
  let s = stem, i = 2;
  while (used.has(s)) s = `${stem}-${i++}`;
  used.add(s);
  return s;
}
