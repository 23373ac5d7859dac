import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testdataDir } from "@gradphoto/testkit";
import { DemoProvider, devDemoKey, issueDemoCode, renderCodePng, runDecodeCode, type CaptureCodeFields } from "@gradphoto/capture-code";
import { readManifest } from "../scripts/dataset.js";

describe("runDecodeCode (gradphoto decode-code)", () => {
  it("returns one result per file in input order, with errors per file", async () => {
    const dir = testdataDir("capture-codes");
    const manifest = await readManifest(dir);
    const withCode = manifest.find((m) => m.kind === "b" && m.text)!;
    const noCode = manifest.find((m) => m.text === null)!;
    const tmp = await mkdtemp(path.join(os.tmpdir(), "cc-cli-"));
    const notImage = path.join(tmp, "notes.txt");
    await writeFile(notImage, "not an image");
    const files = [path.join(dir, withCode.file), path.join(tmp, "missing.png"), path.join(dir, noCode.file), notImage];
    const out = await runDecodeCode(files);
    expect(out.map((r) => r.file)).toEqual(files);
    expect(out[0]).toEqual({ file: files[0], text: withCode.text });
    expect(out[1]).toMatchObject({ text: null, error: { code: "FILE_NOT_READABLE" } });
    expect(out[2]).toMatchObject({ text: null, error: { code: "CODE_UNREADABLE", message: expect.stringContaining("长按二维码选择保存采集码") } });
    expect(out[3]).toMatchObject({ text: null, error: { code: "INVALID_IMAGE" } });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("adds fields when a provider is configured, and the provider's error otherwise", async () => {
    const key = devDemoKey();
    const fields: CaptureCodeFields = {
      uniqueNumber: "2026100550000007",
      maskedName: "陈*",
      maskedIdNumber: "4401**********0017",
      schoolCode: "10055",
      schoolName: "南开大学",
    };
    const tmp = await mkdtemp(path.join(os.tmpdir(), "cc-cli-"));
    const demo = path.join(tmp, "demo.png");
    const foreign = path.join(tmp, "foreign.png");
    const code = issueDemoCode(fields, key);
    await writeFile(demo, await renderCodePng(code));
    await writeFile(foreign, await renderCodePng("https://example.org/some-other-qr"));
    const out = await runDecodeCode([demo, foreign], { provider: new DemoProvider({ publicKeys: { dev: key.publicKey } }), details: true });
    expect(out[0]).toMatchObject({ file: demo, text: code, fields, strategy: expect.any(String), ms: expect.any(Number) });
    expect(out[1]).toMatchObject({ file: foreign, text: "https://example.org/some-other-qr", error: { code: "CODE_INVALID" } });
    expect(out[1]!.fields).toBeUndefined();
  });
});
