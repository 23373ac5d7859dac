// Commands implemented by the domain packages, wired into the gradphoto CLI.
import path from "node:path";
import { z } from "zod";
import { runCheck, runStandardize, UsageError as PhotoUsageError } from "@gradphoto/photo";
import { CompareCliResultSchema, CompareUsageError, runCompare } from "@gradphoto/face";
import { createProvider, devDemoKey, runDecodeCode } from "@gradphoto/capture-code";
import { registerCommand } from "./main.js";
import { exitStatus, normaliseError, notProcessed } from "./files.js";
import { printJson, reportUnprocessed, say, UsageError } from "./output.js";
import "./commands/calibrate-face.js";

/** pnpm runs scripts from the repository root; INIT_CWD is where the caller stood. */
const callerCwd = (): string => process.env.INIT_CWD ?? process.cwd();

const ErrorSchema = z.object({ code: z.string(), message: z.string() });
const CheckSchema = z.object({ id: z.string(), passed: z.boolean(), message: z.string(), value: z.unknown().optional() }).passthrough();
const CheckResultsSchema = z.array(z.object({ file: z.string(), compliant: z.boolean(), checks: z.array(CheckSchema), error: ErrorSchema.optional() }).passthrough());
const StandardizeResultsSchema = z.array(
  z.object({ file: z.string(), out: z.string().nullable(), width: z.number().nullable(), height: z.number().nullable(), bytes: z.number().nullable(), compliant: z.boolean(), checks: z.array(CheckSchema), error: ErrorSchema.optional() }).passthrough(),
);
const DecodeResultsSchema = z.array(z.object({ file: z.string(), text: z.string().nullable(), fields: z.record(z.string(), z.unknown()).optional(), error: ErrorSchema.optional() }).passthrough());

function num(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

function rethrowUsage(e: unknown): never {
  if (e instanceof PhotoUsageError || e instanceof CompareUsageError) throw new UsageError(e.message);
  throw e;
}

function summary(lines: string[]): void {
  for (const l of lines) say(l);
}

/** Exit status of a per-file command, after saying on stderr how many inputs failed. */
function finish(errors: Array<{ code: string } | undefined>): number {
  reportUnprocessed(errors.filter(notProcessed).length, errors.length);
  return exitStatus(errors);
}

/** "! file  not <verb> — CODE: message" for an input that could not be processed at all. */
const unprocessed = (file: string, verb: string, e: { code: string; message: string }) => `! ${file}  not ${verb} — ${e.code}: ${e.message}`;

registerCommand("check", async (files, _v, json) => {
  if (files.length === 0) throw new UsageError("check needs at least one image");
  const cwd = callerCwd();
  const results = await runCheck(files, { cwd }).catch(rethrowUsage);
  const out = await Promise.all(results.map(async (r) => ({ ...r, error: await normaliseError(r.error, [{ abs: path.resolve(cwd, r.file), shown: r.file }]) })));
  if (json) printJson(CheckResultsSchema, out);
  else
    summary(
      out.map((r) =>
        r.error && notProcessed(r.error)
          ? unprocessed(r.file, "checked", r.error)
          : `${r.compliant ? "✔" : "✘"} ${r.file}${r.error ? `  ${r.error.code}: ${r.error.message}` : ""}${r.checks.filter((c) => !c.passed).map((c) => `\n    - ${c.id}: ${c.message}`).join("")}`,
      ),
    );
  return finish(out.map((r) => r.error));
});

registerCommand("standardize", async (files, v, json) => {
  if (files.length === 0) throw new UsageError("standardize needs at least one image");
  if (typeof v["out-dir"] !== "string") throw new UsageError("--out-dir <dir> is required");
  const cwd = callerCwd();
  const results = await runStandardize(files, {
    cwd,
    outDir: path.resolve(callerCwd(), v["out-dir"]),
    background: typeof v.background === "string" ? v.background : undefined,
    minKb: num(v["min-kb"], "--min-kb"),
    maxKb: num(v["max-kb"], "--max-kb"),
  }).catch(rethrowUsage);
  const out = await Promise.all(results.map(async (r) => ({ ...r, error: await normaliseError(r.error, [{ abs: path.resolve(cwd, r.file), shown: r.file }]) })));
  if (json) printJson(StandardizeResultsSchema, out);
  else
    summary(
      out.map((r) =>
        r.error && notProcessed(r.error)
          ? unprocessed(r.file, "standardised", r.error)
          : `${r.out ? "✔" : "✘"} ${r.file} → ${r.out ?? r.error?.message ?? "not produced"}${r.bytes ? ` (${r.width}×${r.height}, ${(r.bytes / 1024).toFixed(1)} KB)` : ""}`,
      ),
    );
  return finish(out.map((r) => r.error));
});

registerCommand("compare", async (args, v, json) => {
  const cwd = callerCwd();
  if (typeof v.pairs === "string") {
    if (args.length) throw new UsageError("use either <photo> <reference> or --pairs <file>");
    const pairsFile = path.resolve(cwd, v.pairs);
    const base = path.dirname(pairsFile);
    const results = await runCompare({ pairsFile }, { cwd: base }).catch(rethrowUsage);
    const out = await Promise.all(results.map((r) => withFileError(r, base)));
    if (json) printJson(z.array(CompareCliResultSchema), out);
    else summary(out.map((r) => (r.error ? `! ${r.a} ~ ${r.b}: not compared — ${r.error.code}: ${r.error.message}` : `${r.passed ? "✔" : "✘"} ${r.a} ~ ${r.b}: ${r.score}`)));
    return finish(out.map((r) => r.error));
  }
  if (args.length !== 2) throw new UsageError("compare needs <photo> <reference> (or --pairs <file>)");
  const r = await withFileError(await runCompare({ a: args[0]!, b: args[1]! }, { cwd }).catch(rethrowUsage), cwd);
  if (json) printJson(CompareCliResultSchema, r);
  // An error means there is no score: never print it as a failed comparison.
  else say(r.error ? `! not compared — ${r.error.code}: ${r.error.message}` : `${r.passed ? "✔ same person" : "✘ not passed"}: score ${r.score} (pass ≥ ${r.threshold})`);
  return finish([r.error]);
});

registerCommand("decode-code", async (files, v, json) => {
  if (files.length === 0) throw new UsageError("decode-code needs at least one image");
  const name = typeof v.provider === "string" ? v.provider : process.env.CAPTURE_CODE_PROVIDER;
  let provider;
  if (name) {
    const cfg = process.env.CAPTURE_CODE_PROVIDER_CONFIG ? JSON.parse(process.env.CAPTURE_CODE_PROVIDER_CONFIG) : {};
    try {
      provider = createProvider(name, cfg, { demoPublicKeys: { dev: devDemoKey().publicKey } });
    } catch (e) {
      throw new UsageError(`--provider ${name}: ${(e as Error).message}`);
    }
  }
  const abs = files.map((f) => path.resolve(callerCwd(), f));
  const results = await runDecodeCode(abs, { provider });
  const out = await Promise.all(results.map(async (r, i) => ({ ...r, file: files[i]!, error: await normaliseError(r.error, [{ abs: abs[i]!, shown: files[i]! }]) })));
  if (json) printJson(DecodeResultsSchema, out);
  else
    summary(
      out.map((r) =>
        r.error && notProcessed(r.error) ? unprocessed(r.file, "read", r.error) : `${r.text !== null ? "✔" : "✘"} ${r.file}: ${r.text !== null ? `${r.text.slice(0, 16)}…` : r.error?.message}`,
      ),
    );
  return finish(out.map((r) => r.error));
});

/** A comparison whose file is missing or unreadable reports that cause (the face package says INVALID_IMAGE). */
async function withFileError<R extends { a: string; b: string; error?: { code: string; message: string } }>(r: R, base: string): Promise<R> {
  const error = await normaliseError(r.error, [
    { abs: path.resolve(base, r.a), shown: r.a },
    { abs: path.resolve(base, r.b), shown: r.b },
  ]);
  return error ? { ...r, error } : r;
}
