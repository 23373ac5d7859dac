/**
 * WeChat's own offline compilers from the npm package `miniprogram-compiler`: `wcc` (WXML + WXS →
 * the `$gwx` render functions the client runs) and `wcsc` (WXSS). The package ships the Linux
 * binaries without the executable bit, so every entry point here sets it first (a fresh clone's
 * install needs no manual step). Called with the argument lists the package's own wrapper uses,
 * but spawned here so that their warnings (stderr) are seen, not dropped.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

function binDir(): string {
  const pkg = path.dirname(require.resolve("miniprogram-compiler/package.json", { paths: [path.resolve(import.meta.dirname, "../..")] }));
  if (process.platform !== "linux") throw new Error(`the WeChat compilers are wired for Linux here (platform ${process.platform})`);
  return path.join(pkg, "bin", "linux");
}

/** Paths of wcc and wcsc, made executable. */
export function wechatCompilers(): { wcc: string; wcsc: string } {
  const dir = binDir();
  const out = { wcc: path.join(dir, "wcc"), wcsc: path.join(dir, "wcsc") };
  for (const bin of Object.values(out)) {
    if ((statSync(bin).mode & 0o111) !== 0o111) chmodSync(bin, 0o755);
  }
  return out;
}

/** Files under `dir` ending in `ext`, relative, "/"-separated, sorted. */
export function filesOf(dir: string, ext: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== "node_modules") out.push(...filesOf(dir, ext, r));
    } else if (e.name.endsWith(ext)) out.push(r);
  }
  return out;
}

function jsonOf(dir: string, file: string): { usingComponents?: Record<string, string>; component?: boolean } | null {
  const p = path.join(dir, file.replace(/\.(wxml|wxss)$/, ".json"));
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as { usingComponents?: Record<string, string> }) : null;
}

export interface CompileResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** wcc over every WXML and WXS file of the package (custom components declared as the client expects). */
export function runWcc(dir: string): CompileResult {
  const { wcc } = wechatCompilers();
  const wxml = filesOf(dir, ".wxml");
  const wxs = filesOf(dir, ".wxs");
  const withComponents = wxml.map((f) => ({ f, using: Object.keys(jsonOf(dir, f)?.usingComponents ?? {}) })).filter((x) => x.using.length);
  const componentArgs = [String(withComponents.length), ...withComponents.flatMap((x) => [x.f, String(x.using.length), ...x.using])].join(" ");
  const r = spawnSync(wcc, ["-d", "-cc", componentArgs, ...wxml, ...wxs, "-gn", "$gwx"], { cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout?.toString() ?? "", stderr: `${r.stderr?.toString() ?? ""}${r.error ? String(r.error) : ""}` };
}

/** wcsc over every WXSS file (component styles first, as the client orders them). */
export function runWcsc(dir: string): CompileResult {
  const { wcsc } = wechatCompilers();
  const comps: string[] = [];
  const rest: string[] = [];
  for (const f of filesOf(dir, ".wxss")) (jsonOf(dir, f) ? comps : rest).push(f);
  const r = spawnSync(wcsc, ["-db", "-pc", String(comps.length), ...comps, ...rest], { cwd: dir, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout?.toString() ?? "", stderr: `${r.stderr?.toString() ?? ""}${r.error ? String(r.error) : ""}` };
}

/** The compiled WXML as the body of a function of `global` that returns `$gwx`. */
export function gwxSource(dir: string): string {
  const r = runWcc(dir);
  if (r.status !== 0) throw new Error(`wcc failed (exit ${r.status}): ${r.stderr}`);
  return `${r.stdout};\nreturn $gwx;`;
}
