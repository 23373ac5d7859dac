import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import sharp from "sharp";
import { chromium, type Browser } from "playwright-core";

export const ADMIN_DIR = path.resolve(import.meta.dirname, "..");
export const DIST = path.join(ADMIN_DIR, "dist");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  return st.isDirectory() ? Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e)))) : st.mtimeMs;
}

/** Builds the console when dist/ is missing or older than its sources (npm test builds it before the tests). */
export function ensureBuilt(): void {
  const index = path.join(DIST, "index.html");
  const repo = path.resolve(ADMIN_DIR, "../..");
  const sources = [path.join(ADMIN_DIR, "src"), path.join(ADMIN_DIR, "index.html"), path.join(repo, "packages/contracts/src"), path.join(repo, "packages/domain/src"), path.join(repo, "packages/api-client/src")];
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(...sources.map(newest))) return;
  const r = spawnSync(process.execPath, [path.join(ADMIN_DIR, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: ADMIN_DIR, stdio: "inherit" });
  if (r.status !== 0) throw new Error("admin build failed");
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json" };

/**
 * Serves the built console (SPA fallback) and proxies /api and /files to the API, so the browser
 * talks to one origin: the console is opened with ?api=<this origin>.
 */
export function serveConsole(apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/api/") || url.startsWith("/files/")) {
      const p = http.request({ host: api.hostname, port: api.port, path: url, method: req.method, headers: { ...req.headers, host: api.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      p.on("error", () => (res.writeHead(502), res.end()));
      req.pipe(p);
      return;
    }
    let file = path.join(DIST, path.normalize(decodeURIComponent(url.split("?")[0]!)).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--lang=zh-CN"],
  });
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Screenshots side by side with captions → one PNG. */
export async function contactSheet(shots: Array<{ title: string; png: Buffer }>, out: string, opts: { columns?: number; width?: number; note?: string } = {}): Promise<void> {
  const columns = opts.columns ?? 3;
  const w = opts.width ?? 720;
  const caption = 40;
  const pad = 20;
  const tiles = await Promise.all(
    shots.map(async (s) => {
      const img = await sharp(s.png).resize({ width: w }).png().toBuffer();
      const meta = await sharp(img).metadata();
      return { ...s, img, h: meta.height ?? 450 };
    }),
  );
  const rowHeights: number[] = [];
  for (let i = 0; i < tiles.length; i += columns) rowHeights.push(Math.max(...tiles.slice(i, i + columns).map((t) => t.h)) + caption);
  const width = columns * w + (columns + 1) * pad;
  const height = rowHeights.reduce((a, b) => a + b + pad, pad) + 56;
  const composites: sharp.OverlayOptions[] = [];
  const title = `<svg width="${width}" height="56" xmlns="http://www.w3.org/2000/svg"><text x="${pad}" y="38" font-family="Noto Sans CJK SC, sans-serif" font-size="26" font-weight="600" fill="#0f1f3d">毕业照片采集 · 管理后台（端到端测试截图）</text>${opts.note ? `<text x="${width - pad}" y="38" text-anchor="end" font-family="Noto Sans CJK SC, sans-serif" font-size="15" fill="#4b5563">${esc(opts.note)}</text>` : ""}</svg>`;
  composites.push({ input: Buffer.from(title), top: 0, left: 0 });
  let y = 56 + pad;
  for (let r = 0; r < rowHeights.length; r++) {
    for (let c = 0; c < columns; c++) {
      const t = tiles[r * columns + c];
      if (!t) continue;
      const x = pad + c * (w + pad);
      const label = `<svg width="${w}" height="${caption}" xmlns="http://www.w3.org/2000/svg"><text x="2" y="26" font-family="Noto Sans CJK SC, sans-serif" font-size="19" fill="#1f2d3d">${r * columns + c + 1}. ${esc(t.title)}</text></svg>`;
      composites.push({ input: Buffer.from(label), top: y, left: x });
      composites.push({ input: t.img, top: y + caption, left: x });
    }
    y += rowHeights[r]! + pad;
  }
  await sharp({ create: { width, height, channels: 3, background: "#e9edf4" } }).composite(composites).png({ compressionLevel: 9 }).toFile(out);
}
