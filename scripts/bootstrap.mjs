#!/usr/bin/env node
// The README's two commands, runnable on a machine with only Node and npm:
//   npm start  → install, prepare the (embedded) database, seed the demo, start API + admin + H5
//   npm test   → install, typecheck, run every test
// Uses only Node built-ins so it works before anything is installed.
import { spawn } from "node:child_process";
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

// Every step runs as a child we wait for asynchronously, so SIGINT/SIGTERM reach this process at any
// time: it forwards the signal to the running child, starts no further step, and exits once that
// child has stopped. A signal never leaves orphans behind. Stopping `start` is what was asked for
// (exit 0); an interrupted `test` did not pass, so it exits 128 + the signal's number, as a shell would.
let current = null;
let stopping = false;
let stopCode = 0;
function stop(sig) {
  stopping = true;
  if (process.argv[2] !== "start") stopCode = 128 + (sig === "SIGINT" ? 2 : 15);
  if (current) current.kill(sig);
  else process.exit(stopCode);
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stop(sig));
// npm runs us with `exec` (package.json), so npm forwards its signals straight to this process; if
// whoever started us dies without a signal reaching us (kill -9), stop too instead of running on orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !stopping) stop("SIGTERM");
}, 1000).unref();

/** Runs a command to completion; resolves with its exit status (a signal counts as failure). */
function run(file, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: "inherit" });
    current = child;
    child.on("error", (e) => {
      console.error(`gradphoto: cannot run ${file}: ${e.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      current = null;
      if (stopping) process.exit(stopCode);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function pnpm(args) {
  const status = await run("npx", ["--yes", pnpmSpec, ...args]);
  if (status !== 0) {
    console.error(`\ngradphoto: "pnpm ${args.join(" ")}" failed (exit ${status})`);
    process.exit(status);
  }
}

async function install() {
  console.error("› installing dependencies (pnpm)…");
  await pnpm(["install", ...(existsSync(path.join(root, "pnpm-lock.yaml")) ? ["--frozen-lockfile"] : [])]);
  console.error("› generating the Prisma client…");
  await pnpm(["-s", "db:generate"]);
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
async function buildAdmin() {
  const admin = path.join(root, "apps/admin");
  const built = path.join(admin, "dist/index.html");
  const sources = [path.join(admin, "src"), path.join(admin, "index.html"), path.join(admin, "vite.config.ts"), path.join(root, "packages/contracts/src"), path.join(root, "packages/domain/src"), path.join(root, "packages/api-client/src")];
  if (existsSync(built) && statSync(built).mtimeMs > newest(sources)) {
    console.error("› admin console is up to date (apps/admin/dist)");
    return;
  }
  console.error("› building the admin console (apps/admin/dist)…");
  await pnpm(["--filter", "@gradphoto/admin", "run", "build", "--logLevel", "warn"]);
}

/**
 * Builds the mini-program (apps/miniprogram/dist/<target>); a target whose inputs did not change since
 * its last build is skipped (apps/miniprogram/scripts/build.mjs keeps an input hash).
 */
async function buildMiniProgram(targets, { fatal = true } = {}) {
  const status = await run(process.execPath, [path.join(root, "apps/miniprogram/scripts/build.mjs"), ...targets]);
  if (status !== 0) {
    if (fatal) process.exit(status);
    console.error("gradphoto: the mini-program H5 build failed; :10086 serves a placeholder page");
  }
}

const cmd = process.argv[2];
// GRADPHOTO_REUSE_BUILD=1: skip install and builds and use what is there (the process-level test, a quick restart).
const reuse = process.env.GRADPHOTO_REUSE_BUILD === "1";
if (cmd === "test") {
  await install();
  console.error("› typechecking…");
  await pnpm(["-s", "typecheck"]);
  await buildAdmin();
  // weapp: the WeChat package must build in CI; h5: the end-to-end tests drive it in Chromium.
  await buildMiniProgram(["weapp", "h5"]);
  console.error("› running every test…");
  await pnpm(["-s", "test:all"]);
} else if (cmd === "start") {
  // npm start is the local development stack: the explicit development switch (the API is
  // production by default and refuses to start without real secrets; see docs/operations.md).
  env.NODE_ENV ??= "development";
  if (!reuse) {
    await install();
    await buildAdmin();
    await buildMiniProgram(["h5"], { fatal: false });
  }
  console.error("› preparing the database and the demo data…");
  await pnpm(["-s", "db:seed"]);
  // The dev orchestrator runs as our direct child (no npx/pnpm/shell in between), so a signal
  // forwarded to it reaches the process that owns the API, the static servers and the fake WeChat.
  const status = await run(process.execPath, ["--import", "tsx", path.join(root, "scripts/dev.ts")], { MALLOC_ARENA_MAX: "2" });
  process.exit(status);
} else {
  console.error("usage: node scripts/bootstrap.mjs start|test");
  process.exit(2);
}
