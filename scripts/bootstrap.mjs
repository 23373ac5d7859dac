#!/usr/bin/env node
// The README's two commands, runnable on a machine with only Node and npm:
//   npm start  → install, prepare the (embedded) database, seed the demo, start API + admin + H5
//   npm test   → install, typecheck, run every test
// Uses only Node built-ins so it works before anything is installed.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const pnpmSpec = pkg.packageManager; // e.g. pnpm@10.34.8 — corepack is unreliable here, so npx fetches that exact version
const env = {
  ...process.env,
  ONNXRUNTIME_NODE_INSTALL: "skip",
  ONNXRUNTIME_NODE_INSTALL_CUDA: "skip",
  // Prisma's CLI only needs the schema engine for migrations, which the project applies itself.
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  npm_config_update_notifier: "false",
};

function pnpm(args, opts = {}) {
  const r = spawnSync("npx", ["--yes", pnpmSpec, ...args], { cwd: root, env, stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`\ngradphoto: "pnpm ${args.join(" ")}" failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function install() {
  console.error("› installing dependencies (pnpm)…");
  pnpm(["install", ...(existsSync(path.join(root, "pnpm-lock.yaml")) ? ["--frozen-lockfile"] : [])]);
  console.error("› generating the Prisma client…");
  pnpm(["-s", "db:generate"]);
}

/** Newest modification time of the given files and of every file under the given folders. */
function newest(paths) {
  let t = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (!st.isDirectory()) t = Math.max(t, st.mtimeMs);
    else for (const e of readdirSync(p)) walk(path.join(p, e));
  };
  paths.forEach(walk);
  return t;
}

/** Builds the admin console into apps/admin/dist (served on :5173), skipped when the build is newer than its sources. */
function buildAdmin() {
  const admin = path.join(root, "apps/admin");
  const built = path.join(admin, "dist/index.html");
  const sources = [path.join(admin, "src"), path.join(admin, "index.html"), path.join(admin, "vite.config.ts"), path.join(root, "packages/contracts/src"), path.join(root, "packages/domain/src"), path.join(root, "packages/api-client/src")];
  if (existsSync(built) && statSync(built).mtimeMs > newest(sources)) {
    console.error("› admin console is up to date (apps/admin/dist)");
    return;
  }
  console.error("› building the admin console (apps/admin/dist)…");
  pnpm(["--filter", "@gradphoto/admin", "run", "build", "--logLevel", "warn"]);
}

/**
 * Builds the mini-program (apps/miniprogram/dist/<target>); a target whose inputs did not change since
 * its last build is skipped (apps/miniprogram/scripts/build.mjs keeps an input hash).
 */
function buildMiniProgram(targets, { fatal = true } = {}) {
  const r = spawnSync(process.execPath, [path.join(root, "apps/miniprogram/scripts/build.mjs"), ...targets], { cwd: root, env, stdio: "inherit" });
  if (r.status !== 0) {
    if (fatal) process.exit(r.status ?? 1);
    console.error("gradphoto: the mini-program H5 build failed; :10086 serves a placeholder page");
  }
}

const cmd = process.argv[2];
if (cmd === "test") {
  install();
  console.error("› typechecking…");
  pnpm(["-s", "typecheck"]);
  buildAdmin();
  // weapp: the WeChat package must build in CI; h5: the end-to-end tests drive it in Chromium.
  buildMiniProgram(["weapp", "h5"]);
  console.error("› running every test…");
  pnpm(["-s", "test:all"]);
} else if (cmd === "start") {
  // npm start is the local development stack: the explicit development switch (the API is
  // production by default and refuses to start without real secrets; see docs/operations.md).
  env.NODE_ENV ??= "development";
  install();
  buildAdmin();
  buildMiniProgram(["h5"], { fatal: false });
  console.error("› preparing the database and the demo data…");
  pnpm(["-s", "db:seed"]);
  // Hand over to the dev orchestrator; forward signals so Ctrl-C stops everything cleanly.
  const child = spawn("npx", ["--yes", pnpmSpec, "-s", "dev"], { cwd: root, env, stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code) => process.exit(code ?? 0));
} else {
  console.error("usage: node scripts/bootstrap.mjs start|test");
  process.exit(2);
}
