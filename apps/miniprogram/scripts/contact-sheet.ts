/**
 * Assembles the end-to-end screenshots (apps/miniprogram/test/screenshots, written by test/e2e.test.ts)
 * into one contact sheet: docs/miniprogram-flow.png. One band per scenario, steps left to right.
 *   npx vitest run apps/miniprogram/test/e2e.test.ts && pnpm --filter @gradphoto/miniprogram contact-sheet
 * Captions are drawn with the system's CJK font (Debian: fonts-noto-cjk).
 * A sheet of some scenarios only: --only g-refund,h-precheck --out docs/x.png --title … --note …
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";

interface Shot {
  file: string;
  scenario: string;
  caption: string;
}

const app = path.resolve(import.meta.dirname, "..");
const shotsDir = path.join(app, "test/screenshots");
const args = parseArgs({ options: { only: { type: "string" }, out: { type: "string" }, title: { type: "string" }, note: { type: "string" } } }).values;
const out = path.resolve(app, "../..", args.out ?? "docs/miniprogram-flow.png");
const only = args.only?.split(",").filter(Boolean) ?? null;

const COLS = 8;
const THUMB_W = 240;
const GAP = 18;
const MARGIN = 28;
const CAPTION_H = 62;
const BAND_TITLE_H = 54;
const FONT = "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei',sans-serif";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Breaks a caption into at most two lines of about `width` CJK characters; runs of Latin letters and
 * digits (480×640, 400-123-4567) stay whole and count as half width.
 */
function wrap(text: string, width: number): string[] {
  const tokens = text.match(/[A-Za-z0-9×.:%\-–/+]+|./gu) ?? [];
  const w = (t: string) => (/^[\x00-\x7f×–]+$/.test(t) ? t.length * 0.55 : Array.from(t).length);
  const lines: string[] = [""];
  let cur = 0;
  for (const t of tokens) {
    if (cur + w(t) > width && lines[lines.length - 1]!.trim()) {
      lines.push("");
      cur = 0;
    }
    lines[lines.length - 1] += t;
    cur += w(t);
  }
  if (lines.length > 2) lines[1] = lines[1]!.slice(0, -1) + "…";
  return lines.slice(0, 2);
}

async function main(): Promise<void> {
  if (!existsSync(shotsDir)) throw new Error(`no screenshots in ${shotsDir}: run the e2e tests first`);
  const manifests = readdirSync(shotsDir)
    .filter((f) => f.endsWith(".json") && (!only || only.some((o) => f.startsWith(o))))
    .sort();
  const bands = manifests.map((m) => JSON.parse(readFileSync(path.join(shotsDir, m), "utf8")) as Shot[]).filter((b) => b.length);
  if (!bands.length) throw new Error("the screenshot manifests are empty");

  const meta = await sharp(path.join(shotsDir, bands[0]![0]!.file)).metadata();
  const thumbH = Math.round((THUMB_W * (meta.height ?? 1624)) / (meta.width ?? 750));
  const cellH = thumbH + CAPTION_H;
  const width = MARGIN * 2 + COLS * THUMB_W + (COLS - 1) * GAP;
  const header = 96;

  const layers: sharp.OverlayOptions[] = [];
  const svgParts: string[] = [];
  // Scenarios flow left to right; a short one shares the row of the previous one when it fits whole.
  let y = header;
  let col = 0;
  let step = 0;
  for (const band of bands) {
    if (step > 0 && col + band.length > COLS) {
      y += BAND_TITLE_H + cellH + GAP * 2;
      col = 0;
    }
    const titleX = MARGIN + col * (THUMB_W + GAP);
    svgParts.push(`<text x="${titleX}" y="${y + 34}" font-family="${FONT}" font-size="22" font-weight="700" fill="#1d4ed8">${esc(band[0]!.scenario)}</text>`);
    for (let i = 0; i < band.length; i++) {
      const shot = band[i]!;
      if (col === COLS) {
        y += BAND_TITLE_H + cellH + GAP;
        col = 0;
      }
      const x = MARGIN + col * (THUMB_W + GAP);
      const top = y + BAND_TITLE_H;
      const img = await sharp(path.join(shotsDir, shot.file)).resize({ width: THUMB_W, height: thumbH, fit: "cover", position: "top" }).png().toBuffer();
      layers.push({ input: img, left: x, top });
      step++;
      svgParts.push(`<rect x="${x - 1}" y="${top - 1}" width="${THUMB_W + 2}" height="${thumbH + 2}" fill="none" stroke="#cbd5e1" rx="4"/>`);
      wrap(`${i + 1}. ${shot.caption}`, 14.5).forEach((line, k) => {
        svgParts.push(`<text x="${x}" y="${top + thumbH + 24 + k * 22}" font-family="${FONT}" font-size="16" fill="#1f2937">${esc(line)}</text>`);
      });
      col++;
    }
  }
  y += BAND_TITLE_H + cellH + GAP;
  const height = y + MARGIN;
  const title = `<text x="${MARGIN}" y="52" font-family="${FONT}" font-size="34" font-weight="700" fill="#111827">${esc(args.title ?? "毕业照片采集 · 小程序（H5 构建）端到端流程")}</text>
<text x="${MARGIN}" y="82" font-family="${FONT}" font-size="17" fill="#4b5563">${esc(`Chromium 375×812 截图，由 apps/miniprogram/test/e2e.test.ts 生成，共 ${step} 步；照片来自开发测试集${args.note ? `。${args.note}` : ""}`)}</text>`;
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${title}${svgParts.join("")}</svg>`);

  await sharp({ create: { width, height, channels: 3, background: "#f1f5f9" } })
    .composite([...layers, { input: svg, left: 0, top: 0 }])
    .png({ palette: true, quality: 92, effort: 8, compressionLevel: 9 })
    .toFile(out);
  const m = await sharp(out).metadata();
  console.log(`wrote ${path.relative(process.cwd(), out)} (${m.width}×${m.height}, ${step} screenshots)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
