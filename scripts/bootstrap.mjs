#!/usr/bin/env node
// The README's two commands, runnable on a machine with only Node and npm:
//   npm start  → install, prepare the (embedded) database, seed the demo, start API + admin + H5
//   npm test   → install, typecheck, run every test
// Uses only Node built-ins so it works before anything is installed.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
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

const cmd = process.argv[2];
if (cmd === "test") {
  install();
  console.error("› typechecking…");
  pnpm(["-s", "typecheck"]);
  console.error("› running every test…");
  pnpm(["-s", "test:all"]);
} else if (cmd === "start") {
  install();
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
