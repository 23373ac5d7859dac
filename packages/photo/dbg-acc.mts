import { readFile, writeFile } from "node:fs/promises";
import { check } from "./src/index.js";
const dir = "/work/shared/testdata/faces-studio";
const m = JSON.parse(await readFile(`${dir}/manifest.json`, "utf8"));
const out: any[] = [];
for (const f of m.files) {
  const l = f.labels;
  if (!(l.pose === "frontal" || l.pose === "tilted")) continue;
  const r = await check(await readFile(`${dir}/${f.path}`));
  const c = r.checks.find((c: any) => c.id === "no_accessories");
  const mo = r.checks.find((c: any) => c.id === "mouth_closed");
  out.push({ path: f.path, acc: l.accessories, mouth: l.mouth, ok: f.expected_compliant ?? l.expected_compliant, expr: f.capture.expression, accV: c?.value, mouthV: mo?.value, mouthPass: mo?.passed, failed: r.checks.filter((c: any) => !c.passed).map((c: any) => c.id) });
}
await writeFile("/tmp/studio-frontal.json", JSON.stringify(out, null, 1));
