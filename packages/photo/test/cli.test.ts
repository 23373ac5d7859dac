import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { inspectJpeg, runCheck, runStandardize, UsageError } from "@gradphoto/photo";
import { byLabel, facesDir, goodPortraits } from "./helpers.js";
import { readFileSync } from "node:fs";

describe("CLI modules", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "gradphoto-cli-"));
  const good = goodPortraits(4)[3]!;
  const group = byLabel((l) => l.faces >= 2)[0]!;
  copyFileSync(path.join(facesDir, good.path), path.join(dir, "a.jpg"));
  copyFileSync(path.join(facesDir, group.path), path.join(dir, "b.jpg"));
  writeFileSync(path.join(dir, "broken.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 1, 2, 3]));

  it("check: one result per file in input order, per-file errors instead of throwing", async () => {
    const res = await runCheck(["a.jpg", "missing.jpg", "broken.jpg", path.join(dir, "b.jpg")], { cwd: dir });
    expect(res.map((r) => r.file)).toEqual(["a.jpg", "missing.jpg", "broken.jpg", path.join(dir, "b.jpg")]);
    expect(res[0]!.error).toBeUndefined();
    expect(res[0]!.checks.length).toBeGreaterThan(10);
    expect(res[0]!.checks[0]).toEqual(expect.objectContaining({ id: expect.any(String), passed: expect.any(Boolean), message: expect.any(String) }));
    expect(res[1]!.error?.code).toBe("FILE_NOT_FOUND");
    expect(res[2]!.error?.code).toBe("INVALID_IMAGE");
    expect(res[3]!.error?.code).toBe("MULTIPLE_FACES");
    for (const r of res.slice(1)) expect(r.compliant).toBe(false);
    JSON.stringify(res); // serialisable
  });

  it("standardize: writes the photo and its print version, reports size and checks", async () => {
    const out = path.join(dir, "out");
    const res = await runStandardize(["a.jpg", "broken.jpg"], { cwd: dir, outDir: "out", background: "white", minKb: 20, maxKb: 40 });
    expect(res).toHaveLength(2);
    const a = res[0]!;
    expect(a.out).toBe(path.join(out, "a.jpg"));
    expect(existsSync(a.out!)).toBe(true);
    expect(existsSync(a.print!)).toBe(true);
    expect(a).toMatchObject({ width: 480, height: 640 });
    const info = inspectJpeg(readFileSync(a.out!));
    expect(info.bytes).toBe(a.bytes);
    expect(a.bytes!).toBeLessThanOrEqual(40 * 1024);
    expect(res[1]).toMatchObject({ file: "broken.jpg", out: null, compliant: false, error: { code: "INVALID_IMAGE" } });
  });

  it("usage errors throw (the command exits non-zero)", async () => {
    await expect(runStandardize(["a.jpg"], { cwd: dir, outDir: "out", background: "purple" })).rejects.toBeInstanceOf(UsageError);
    await expect(runStandardize(["a.jpg"], { cwd: dir, outDir: "out", minKb: -1 })).rejects.toBeInstanceOf(UsageError);
    await expect(runStandardize(["a.jpg"], { cwd: dir, outDir: "out", minKb: 50, maxKb: 10 })).rejects.toBeInstanceOf(UsageError);
    await expect(runStandardize(["a.jpg"], { cwd: dir, outDir: "" })).rejects.toBeInstanceOf(UsageError);
  });
});
