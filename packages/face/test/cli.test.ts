import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CompareCliResultSchema, createFaceComparer, runCompare, runCompareCommand, type FaceComparer } from "@gradphoto/face";
import { devPairs, facesDir } from "./helpers.js";

let comparer: FaceComparer;
beforeAll(async () => {
  comparer = await createFaceComparer();
});

describe("runCompare (gradphoto compare)", () => {
  it("single pair: the exact JSON shape", async () => {
    const p = devPairs.find((x) => x.same)!;
    const r = await runCompare({ a: p.a, b: p.b }, { comparer, cwd: facesDir });
    expect(Object.keys(r).sort()).toEqual(["a", "b", "passed", "score", "threshold"]);
    expect(CompareCliResultSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({ a: p.a, b: p.b, threshold: 80 });
    expect(typeof r.score).toBe("number");
  });

  it("pairs file: results in input order, paths relative to the file, errors per pair", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "face-pairs-"));
    const rel = (p: string) => path.relative(dir, path.join(facesDir, p));
    const s = devPairs.find((x) => x.same)!, d = devPairs.find((x) => !x.same)!;
    const input = [
      { a: rel(s.a), b: rel(s.b) },
      { a: rel(d.a), b: rel(d.b) },
      { a: rel(s.a), b: "missing.jpg" },
    ];
    const file = path.join(dir, "pairs.json");
    writeFileSync(file, JSON.stringify(input));
    const out = await runCompare({ pairsFile: file }, { comparer });
    expect(out.map((r) => [r.a, r.b])).toEqual(input.map((p) => [p.a, p.b]));
    for (const r of out) CompareCliResultSchema.parse(r);
    expect(out[0]!.passed).toBe(true);
    expect(out[1]!.passed).toBe(false);
    expect(out[2]).toMatchObject({ score: null, passed: false, threshold: 80, error: { code: "INVALID_IMAGE" } });
  });

  it("command: exit 0 when it ran, 2 for usage errors", async () => {
    const p = devPairs.find((x) => x.same)!;
    const ok = await runCompareCommand([path.join(facesDir, p.a), path.join(facesDir, p.b), "--json"], { comparer });
    expect(ok.exitCode).toBe(0);
    expect(CompareCliResultSchema.parse(JSON.parse(ok.stdout)).passed).toBe(true);
    expect((await runCompareCommand(["only-one.jpg"], { comparer })).exitCode).toBe(2);
    expect((await runCompareCommand(["--pairs", "/nonexistent/pairs.json", "--json"], { comparer })).exitCode).toBe(2);
  });
});
