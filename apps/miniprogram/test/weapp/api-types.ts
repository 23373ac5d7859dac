/**
 * Type-checks the recorded `wx.*` calls against miniprogram-api-typings: each distinct call becomes
 * `const cN: Parameters<WechatMiniprogram.Wx["api"]> = [...recorded arguments]` in a generated .ts
 * file that tsc checks (strict, object literals, so unknown keys and wrong literal values such as
 * `scanType: ["qrcode"]` or a numeric `timeStamp` are errors). Callbacks are written as `() => {}`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { WxCall } from "./wx.js";

const require = createRequire(import.meta.url);
const here = path.resolve(import.meta.dirname, "../..");

function literal(v: unknown): string {
  if (v === "[function]") return "() => {}";
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v && typeof v === "object") return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${literal(x)}`).join(", ")} }`;
  return v === undefined ? "undefined" : JSON.stringify(v);
}

/** The generated source (one line per distinct call). */
export function callsSource(calls: WxCall[]): { source: string; lines: Map<number, string> } {
  const seen = new Set<string>();
  const out = ["// generated from the wx calls recorded by the weapp harness", "export {};"];
  const lines = new Map<number, string>();
  let n = 0;
  for (const c of calls) {
    // "wx.api", or "Context.method" for a context object's method (CameraContext.takePhoto)
    const [owner, method] = c.api.includes(".") ? c.api.split(".") : ["Wx", c.api];
    const args = c.args.length && c.args[c.args.length - 1] === undefined ? c.args.slice(0, -1) : c.args;
    const line = `const c${n}: Parameters<WechatMiniprogram.${owner}[${JSON.stringify(method)}]> = ${literal(args)};`;
    const key = line.replace(/^const c\d+/, "");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(line);
    lines.set(out.length, `${owner === "Wx" ? "wx" : owner}.${method}(${JSON.stringify(args).slice(1, -1)})`);
    n++;
  }
  return { source: out.join("\n") + "\n", lines };
}

export interface TypecheckResult {
  checked: number;
  errors: string[];
  file: string;
}

/** Runs tsc over the recorded calls; errors name the call they are about. */
export function typecheckCalls(calls: WxCall[]): TypecheckResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wx-calls-"));
  const typings = require.resolve("miniprogram-api-typings/index.d.ts", { paths: [here] });
  const { source, lines } = callsSource(calls);
  const file = path.join(dir, "calls.ts");
  writeFileSync(file, source);
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "ES2020", lib: ["ES2020"], types: [], skipLibCheck: true, noUnusedLocals: false }, files: [typings, file] }),
  );
  const tsc = require.resolve("typescript/bin/tsc", { paths: [here] });
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], { encoding: "utf8" });
  const errors = `${r.stdout}${r.stderr}`
    .split("\n")
    .filter((l) => /error TS/.test(l))
    .map((l) => {
      const m = /calls\.ts\((\d+),/.exec(l);
      return m ? `${lines.get(Number(m[1])) ?? "?"}\n    ${l.replace(/^.*?error /, "error ")}` : l;
    });
  return { checked: lines.size, errors, file };
}
