#!/usr/bin/env node
// Runs miniprogram-ci's checkCodeQuality (the code-quality scan of WeChat DevTools, offline) on a
// built package and writes the result as JSON. A child process of its own: miniprogram-ci leaves a
// file watcher running, so this exits explicitly. The scan reads no key, but Project wants one.
//   node quality-scan.mjs <dist/weapp> <out.json>
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const [dir, out] = process.argv.slice(2);
try {
  const ci = require("miniprogram-ci");
  const keyDir = mkdtempSync(path.join(os.tmpdir(), "mp-ci-"));
  const privateKeyPath = path.join(keyDir, "private.key");
  writeFileSync(privateKeyPath, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }));
  const { appid } = JSON.parse(readFileSync(path.join(dir, "project.config.json"), "utf8"));
  const project = new ci.Project({ appid, type: "miniProgram", projectPath: dir, privateKeyPath, ignores: ["node_modules/**/*"] });
  const result = await ci.checkCodeQuality(project);
  writeFileSync(out, JSON.stringify(result.map(({ name, success, text, detail }) => ({ name, success, text, detail })), null, 2));
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
