import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PASS_THRESHOLD } from "./calibration.js";
import { createFaceComparer, type FaceComparer, type FaceComparerOptions } from "./comparer.js";
import { faceErrorMessage, type FaceErrorCode } from "./errors.js";

/** One line of `gradphoto compare --json` (the issue's exact shape). */
export const CompareCliResultSchema = z
  .object({
    a: z.string(),
    b: z.string(),
    score: z.number().min(0).max(100).nullable(),
    passed: z.boolean(),
    threshold: z.literal(PASS_THRESHOLD),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();
export type CompareCliResult = z.infer<typeof CompareCliResultSchema>;

/** `--pairs` file: `[{ "a": path, "b": path }]`; other keys (e.g. `same`) are ignored. */
export const PairsFileSchema = z.array(z.object({ a: z.string().min(1), b: z.string().min(1) }));

/** A bad invocation (unreadable or malformed pairs file, wrong arguments): exit code 2. */
export class CompareUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompareUsageError";
  }
}

export type RunCompareInput = { a: string; b: string } | { pairsFile: string };

export interface RunCompareOptions extends FaceComparerOptions {
  /** reuse an existing comparer (models already loaded) */
  comparer?: FaceComparer;
  /** base for relative `a`/`b` in single mode (default process.cwd()) */
  cwd?: string;
}

/**
 * The `gradphoto compare` command as a function. Single mode returns one result; `pairsFile` mode
 * returns an array in input order, with paths relative to the pairs file's folder (as in
 * ../shared/testdata/faces/pairs.json). The model and calibration are loaded once. Unreadable image
 * files are per-pair INVALID_IMAGE results; only a bad pairs file throws (CompareUsageError).
 */
export async function runCompare(input: { a: string; b: string }, opts?: RunCompareOptions): Promise<CompareCliResult>;
export async function runCompare(input: { pairsFile: string }, opts?: RunCompareOptions): Promise<CompareCliResult[]>;
export async function runCompare(input: RunCompareInput, opts: RunCompareOptions = {}): Promise<CompareCliResult | CompareCliResult[]> {
  if ("pairsFile" in input) {
    const pairs = await readPairsFile(input.pairsFile);
    const comparer = opts.comparer ?? (await createFaceComparer(opts));
    const base = path.dirname(path.resolve(input.pairsFile));
    const out: CompareCliResult[] = [];
    try {
      // Read the next pair's files while the current one is compared.
      let next = readBoth(base, pairs[0]);
      for (let i = 0; i < pairs.length; i++) {
        const files = await next;
        if (i + 1 < pairs.length) next = readBoth(base, pairs[i + 1]);
        out.push(await compareOne(comparer, pairs[i]!, files));
      }
    } finally {
      if (!opts.comparer) await comparer.close();
    }
    return out;
  }
  // One comparison: starting the worker thread (≈ 0.5 s) would cost more than it saves.
  const comparer = opts.comparer ?? (await createFaceComparer({ parallel: false, ...opts }));
  return compareOne(comparer, input, await readBoth(opts.cwd ?? process.cwd(), input));
}

type Loaded = Buffer | { missing: string };

async function readBoth(base: string, pair: { a: string; b: string } | undefined): Promise<[Loaded, Loaded]> {
  if (!pair) return [{ missing: "" }, { missing: "" }];
  const read = (p: string): Promise<Loaded> => readFile(path.resolve(base, p)).catch(() => ({ missing: p }));
  return Promise.all([read(pair.a), read(pair.b)]);
}

async function compareOne(comparer: FaceComparer, pair: { a: string; b: string }, [fa, fb]: [Loaded, Loaded]): Promise<CompareCliResult> {
  const head = { a: pair.a, b: pair.b, score: null, passed: false, threshold: PASS_THRESHOLD } as const;
  const unreadable = (role: "photo" | "reference", p: string): CompareCliResult => ({
    ...head,
    error: { code: "INVALID_IMAGE" satisfies FaceErrorCode, message: `${faceErrorMessage("INVALID_IMAGE", role)}（无法读取文件 ${p}）` },
  });
  if (!Buffer.isBuffer(fa)) return unreadable("photo", fa.missing);
  if (!Buffer.isBuffer(fb)) return unreadable("reference", fb.missing);
  const r = await comparer.compare(fa, fb);
  const out: CompareCliResult = { a: pair.a, b: pair.b, score: r.score, passed: r.passed, threshold: PASS_THRESHOLD };
  if (r.error) out.error = { code: r.error.code, message: r.error.message };
  return out;
}

async function readPairsFile(file: string): Promise<Array<{ a: string; b: string }>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new CompareUsageError(`cannot read pairs file ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CompareUsageError(`pairs file ${file} is not valid JSON`);
  }
  const parsed = PairsFileSchema.safeParse(json);
  if (!parsed.success) throw new CompareUsageError(`pairs file ${file} must be an array of { "a": path, "b": path }: ${parsed.error.issues[0]?.message ?? ""}`);
  return parsed.data;
}

export const COMPARE_USAGE = `usage: gradphoto compare <photo> <reference> [--json]
       gradphoto compare --pairs <pairs.json> [--json]
Compares a graduation photo with the admission (reference) photo: score 0–100, pass ≥ ${PASS_THRESHOLD}.
--pairs: a JSON array [{ "a": path, "b": path }], paths relative to the file; results in input order.`;

/**
 * Argument handling for the CLI wiring: returns the exit code and what to print. Exit 0 whenever
 * the comparison(s) ran (even with face errors), 2 for usage errors.
 */
export async function runCompareCommand(argv: readonly string[], opts: RunCompareOptions = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const json = argv.includes("--json");
  const rest = argv.filter((x) => x !== "--json");
  let input: RunCompareInput;
  if (rest[0] === "--pairs") {
    if (rest.length !== 2) return { exitCode: 2, stdout: "", stderr: COMPARE_USAGE + "\n" };
    input = { pairsFile: rest[1]! };
  } else if (rest.length === 2 && !rest.some((x) => x.startsWith("--"))) {
    input = { a: rest[0]!, b: rest[1]! };
  } else {
    return { exitCode: 2, stdout: "", stderr: COMPARE_USAGE + "\n" };
  }
  try {
    const result = "pairsFile" in input ? await runCompare(input, opts) : await runCompare(input, opts);
    const list = Array.isArray(result) ? result : [result];
    const stdout = json
      ? (Array.isArray(result) ? `[\n${result.map((r) => "  " + JSON.stringify(r)).join(",\n")}\n]` : JSON.stringify(result, null, 2)) + "\n"
      : list.map((r) => `${r.a}  ${r.b}  ${r.error ? `${r.error.code} ${r.error.message}` : `${r.score} ${r.passed ? "通过" : "未通过"}`}`).join("\n") + "\n";
    return { exitCode: 0, stdout, stderr: "" };
  } catch (err) {
    if (err instanceof CompareUsageError) return { exitCode: 2, stdout: "", stderr: `${err.message}\n${COMPARE_USAGE}\n` };
    throw err;
  }
}
