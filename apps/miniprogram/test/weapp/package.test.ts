/**
 * Checks on the weapp build (dist/weapp) with WeChat's own offline tools: wcc and wcsc compile it
 * without errors or warnings, miniprogram-ci's code-quality scan passes every item, and the main
 * package stays within WeChat's 1.5 MB. Also checks that the wx-call type check (api-types.ts)
 * refuses the argument mistakes it is there to catch.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildAsync } from "../../scripts/build.mjs";
import { typecheckCalls } from "./api-types.js";
import { filesOf, runWcc, runWcsc } from "./tools.js";
import { ViewLayer } from "./view.js";

const dist = path.resolve(import.meta.dirname, "../../dist/weapp");
const MAIN_PACKAGE_LIMIT = 1.5 * 1024 * 1024;

beforeAll(async () => {
  await buildAsync("weapp", { quiet: true });
}, 400_000);

describe("the weapp build on WeChat's offline tools", () => {
  it("wcc compiles every WXML and WXS file without errors or warnings, with a render function per page", () => {
    const r = runWcc(dist);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const view = new ViewLayer(dist); // evaluates the compiled $gwx in the webview's globals
    const pages = (JSON.parse(readFileSync(path.join(dist, "app.json"), "utf8")) as { pages: string[] }).pages;
    for (const p of pages) expect(view.has(`${p}.wxml`), p).toBe(true);
  });

  it("wcsc compiles every WXSS file without errors or warnings", () => {
    const r = runWcsc(dist);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const parts = r.stdout.split("=");
    const compiled = parts.filter((_, i) => i % 2 === 0);
    // a sheet only @imported (app-origin.wxss, common.wxss under app.wxss) is compiled into its importer:
    // wcsc tags each of its rules with `wxcs_fileinfo: <file> <line> <col>`
    const inlined = new Set([...parts.filter((_, i) => i % 2 === 1).join("\n").matchAll(/wxcs_fileinfo: (\S+\.wxss) /g)].map((m) => m[1]!.replace(/^\.\//, "")));
    for (const f of filesOf(dist, ".wxss")) expect(compiled.includes(f) || inlined.has(f), `${f} compiled`).toBe(true);
    expect(compiled).toContain("app.wxss");
  });

  it("the main package is within 1.5 MB", () => {
    const bytes = filesOf(dist, "").reduce((n, f) => n + statSync(path.join(dist, f)).size, 0);
    console.info(`weapp package: ${bytes} bytes (${(bytes / 1024).toFixed(0)} KiB) of ${MAIN_PACKAGE_LIMIT / 1024} KiB`);
    expect(bytes).toBeLessThanOrEqual(MAIN_PACKAGE_LIMIT);
  });

  it("miniprogram-ci's code-quality scan passes every item", () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "mp-quality-")), "result.json");
    const r = spawnSync(process.execPath, [path.join(import.meta.dirname, "quality-scan.mjs"), dist, out], { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const items = JSON.parse(readFileSync(out, "utf8")) as Array<{ name: string; success: boolean; text: string }>;
    console.info(`weapp code-quality scan: ${items.map((i) => `${i.name} ${i.success ? "✓" : "✗"}`).join(", ")}`);
    expect(items.length).toBeGreaterThanOrEqual(9);
    expect(items.filter((i) => !i.success).map((i) => `${i.name}: ${i.text}`)).toEqual([]);
  }, 150_000);
});

describe("the wx call type check", () => {
  const cb = "[function]";
  it("accepts calls as WeChat documents them", () => {
    const r = typecheckCalls([
      { api: "scanCode", args: [{ onlyFromCamera: false, scanType: ["qrCode"], success: cb }] },
      { api: "requestPayment", args: [{ timeStamp: "1700000000", nonceStr: "abc", package: "prepay_id=wx1", signType: "RSA", paySign: "c2ln", fail: cb }] },
      { api: "getStorageSync", args: ["gradphoto.session"] },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.checked).toBe(3);
  }, 60_000);

  it("refuses wrong literals, wrong types and unknown keys", () => {
    const r = typecheckCalls([
      { api: "scanCode", args: [{ scanType: ["qrcode"] }] },
      { api: "requestPayment", args: [{ timeStamp: 1700000000, nonceStr: "abc", package: "prepay_id=wx1", signType: "RSA", paySign: "c2ln" }] },
      { api: "requestPayment", args: [{ timeStamp: "1", nonceStr: "abc", package: "prepay_id=wx1", signType: "SHA256", paySign: "c2ln" }] },
      { api: "requestSubscribeMessage", args: [{ tmplIds: ["t"], entityIds: [] }] },
      { api: "noSuchApi", args: [{}] },
    ]);
    expect(r.errors).toHaveLength(5);
  }, 60_000);
});
