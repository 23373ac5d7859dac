#!/usr/bin/env node
// Builds the mini-program only when its inputs changed since the last build of that target:
//   node apps/miniprogram/scripts/build.mjs weapp h5      (both; skips an up-to-date target)
//   node apps/miniprogram/scripts/build.mjs h5 --force
// The input hash (sources, configs, workspace packages it bundles, TARO_APP_* variables) is kept in
// dist/<target>/.build-hash. CI runs `npm test` twice (embedded database, then PostgreSQL): the
// second run reuses the first run's builds. Plain Node, so bootstrap.mjs can call it directly.
// Builds are production builds (minified; NODE_ENV=production even when called from vitest).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(app, "../..");

/** The command of each target (package.json scripts hold the same). */
export const TARGETS = {
  weapp: ["build", "--type", "weapp"],
  // development H5: simulated WeChat login/payment/订阅消息 (.env.development), as npm start and the e2e tests use
  h5: ["build", "--type", "h5", "--mode", "development"],
};

const INPUTS = [
  path.join(app, "src"),
  path.join(app, "config"),
  path.join(app, "types"),
  path.join(app, "babel.config.js"),
  path.join(app, "package.json"),
  path.join(app, "project.config.json"),
  path.join(app, ".env.development"),
  path.join(root, "packages/api-client/src"),
  path.join(root, "packages/contracts/src"),
  path.join(root, "packages/domain/src"), // contracts derive the state list from it
  path.join(root, "pnpm-lock.yaml"),
];

function files(p) {
  if (!existsSync(p)) return [];
  if (statSync(p).isFile()) return [p];
  return readdirSync(p, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => files(path.join(p, e.name)));
}

export function inputHash(target) {
  const h = createHash("sha256");
  h.update(`${target}\n${JSON.stringify(TARGETS[target])}\n`);
  for (const [k, v] of Object.entries(process.env).filter(([k]) => k.startsWith("TARO_APP_")).sort()) h.update(`${k}=${v}\n`);
  for (const f of INPUTS.flatMap(files)) {
    h.update(path.relative(root, f));
    h.update(readFileSync(f));
  }
  return h.digest("hex");
}

function taro(target, sync) {
  const bin = path.join(app, "node_modules", ".bin", "taro");
  const opts = { cwd: app, env: { ...process.env, NODE_ENV: "production", BROWSERSLIST_IGNORE_OLD_DATA: "1" } };
  if (sync) {
    const r = spawnSync(bin, TARGETS[target], { ...opts, stdio: "pipe", encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  }
  return new Promise((resolve) => {
    const child = spawn(bin, TARGETS[target], { ...opts, stdio: "pipe" });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (status) => resolve({ status, out }));
  });
}

function plan(target, force) {
  if (!TARGETS[target]) throw new Error(`unknown target ${target}`);
  const marker = path.join(app, "dist", target, ".build-hash");
  const hash = inputHash(target);
  const upToDate = !force && existsSync(marker) && readFileSync(marker, "utf8").trim() === hash;
  return { marker, hash, upToDate };
}

function finish(target, p, { status, out }, t0, quiet) {
  const ms = Date.now() - t0;
  // Taro exits 0 even when webpack reports errors: look for them too.
  if (status !== 0 || /Compiled with some errors|ModuleParseError|Module not found/.test(out) || !existsSync(path.join(app, "dist", target, target === "h5" ? "index.html" : "app.json"))) {
    console.error(out.slice(-4000));
    throw new Error(`mini-program ${target} build failed (exit ${status})`);
  }
  writeFileSync(p.marker, p.hash + "\n");
  if (!quiet) console.error(`› mini-program ${target} built in ${(ms / 1000).toFixed(1)} s`);
  return { target, built: true, ms };
}

/**
 * Builds `target` unless dist/<target> was built from the same inputs. Builds are production builds
 * (NODE_ENV=production, even when called from vitest). quiet: no progress lines; a failure always
 * prints the build's output.
 */
export function build(target, { force = false, quiet = false } = {}) {
  const p = plan(target, force);
  if (p.upToDate) {
    if (!quiet) console.error(`› mini-program ${target}: up to date (dist/${target})`);
    return { target, built: false, ms: 0 };
  }
  if (!quiet) console.error(`› building the mini-program (${target})…`);
  const t0 = Date.now();
  return finish(target, p, taro(target, true), t0, quiet);
}

/** The same without blocking the event loop (inside a test runner's worker). */
export async function buildAsync(target, { force = false, quiet = false } = {}) {
  const p = plan(target, force);
  if (p.upToDate) return { target, built: false, ms: 0 };
  const t0 = Date.now();
  return finish(target, p, await taro(target, false), t0, quiet);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const targets = args.filter((a) => !a.startsWith("--"));
  try {
    for (const t of targets.length ? targets : ["weapp", "h5"]) build(t, { force });
  } catch (e) {
    console.error(`gradphoto: ${e.message}`);
    process.exit(1);
  }
}
