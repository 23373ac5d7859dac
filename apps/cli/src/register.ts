// Commands implemented by the domain packages, wired into the gradphoto CLI.
import path from "node:path";
import { z } from "zod";
import { runCheck, runStandardize, UsageError as PhotoUsageError } from "@gradphoto/photo";
import { CompareCliResultSchema, CompareUsageError, runCompare } from "@gradphoto/face";
import { createProvider, devDemoKey, runDecodeCode } from "@gradphoto/capture-code";
import { registerCommand } from "./main.js";
import "./commands/calibrate-face.js";
import { log, printJson, UsageError } from "./output.js";

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
  for (const l of lines) log(l);
}

registerCommand("check", async (files, _v, json) => {
  if (files.length === 0) throw new UsageError("check needs at least one image");
  const results = await runCheck(files, { cwd: callerCwd() }).catch(rethrowUsage);
  if (json) printJson(CheckResultsSchema, results);
  else summary(results.map((r) => `${r.compliant ? "✔" : "✘"} ${r.file}${r.error ? `  ${r.error.code}: ${r.error.message}` : ""}${r.checks.filter((c) => !c.passed).map((c) => `\n    - ${c.id}: ${c.message}`).join("")}`));
  return 0;
});

registerCommand("standardize", async (files, v, json) => {
  if (files.length === 0) throw new UsageError("standardize needs at least one image");
  if (typeof v["out-dir"] !== "string") throw new UsageError("--out-dir <dir> is required");
  const results = await runStandardize(files, {
    cwd: callerCwd(),
    outDir: path.resolve(callerCwd(), v["out-dir"]),
    background: typeof v.background === "string" ? v.background : undefined,
    minKb: num(v["min-kb"], "--min-kb"),
    maxKb: num(v["max-kb"], "--max-kb"),
  }).catch(rethrowUsage);
  if (json) printJson(StandardizeResultsSchema, results);
  else summary(results.map((r) => `${r.out ? "✔" : "✘"} ${r.file} → ${r.out ?? r.error?.message ?? "not produced"}${r.bytes ? ` (${r.width}×${r.height}, ${(r.bytes / 1024).toFixed(1)} KB)` : ""}`));
  return 0;
});

registerCommand("compare", async (args, v, json) => {
  const cwd = callerCwd();
  if (typeof v.pairs === "string") {
    if (args.length) throw new UsageError("use either <photo> <reference> or --pairs <file>");
    const results = await runCompare({ pairsFile: path.resolve(cwd, v.pairs) }, { cwd: path.dirname(path.resolve(cwd, v.pairs)) }).catch(rethrowUsage);
    if (json) printJson(z.array(CompareCliResultSchema), results);
    else summary(results.map((r) => `${r.passed ? "✔" : "✘"} ${r.a} ~ ${r.b}: ${r.score ?? r.error?.message}`));
    return 0;
  }
  if (args.length !== 2) throw new UsageError("compare needs <photo> <reference> (or --pairs <file>)");
  const r = await runCompare({ a: args[0]!, b: args[1]! }, { cwd }).catch(rethrowUsage);
  if (json) printJson(CompareCliResultSchema, r);
  else log(`${r.passed ? "✔ same person" : "✘ not passed"}: score ${r.score ?? "—"} (pass ≥ ${r.threshold})${r.error ? `  ${r.error.code}: ${r.error.message}` : ""}`);
  return 0;
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
  const results = await runDecodeCode(files.map((f) => path.resolve(callerCwd(), f)), { provider });
  const out = results.map((r, i) => ({ ...r, file: files[i]! }));
  if (json) printJson(DecodeResultsSchema, out);
  else summary(out.map((r) => `${r.text !== null ? "✔" : "✘"} ${r.file}: ${r.text !== null ? `${r.text.slice(0, 16)}…` : r.error?.message}`));
  return 0;
});
