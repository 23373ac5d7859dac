import { readFile } from "node:fs/promises";
import { decodeQrImage } from "./src/decode/index.js";
const dir = "/work/shared/testdata/capture-codes/";
await decodeQrImage(await readFile(dir + "a-01-card.png"));
for (const f of process.argv.slice(2)) {
  const t0 = performance.now();
  let last = t0;
  const log: string[] = [];
  try {
    const r = await decodeQrImage(await readFile(dir + f), { onAttempt: (a) => { const now = performance.now(); log.push(`${a.strategy}(${a.width}x${a.height}) jsqr ${a.ms.toFixed(0)} gap ${(now - last - a.ms).toFixed(0)}`); last = now; } });
    log.push("OK " + r.strategy);
  } catch (e) { log.push(String(e)); }
  console.log(f, (performance.now() - t0).toFixed(0), "\n  " + log.join("\n  "));
}
