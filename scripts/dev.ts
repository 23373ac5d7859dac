// Starts the whole system for development: API (3000), admin console (5173), mini-program H5 (10086).
// The admin and H5 servers serve their built apps when present, else a placeholder page.
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const API_PORT = Number(process.env.PORT ?? 3000);
const ADMIN_PORT = Number(process.env.ADMIN_PORT ?? 5173);
const H5_PORT = Number(process.env.H5_PORT ?? 10086);

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json", ".jpg": "image/jpeg", ".woff2": "font/woff2" };

function placeholder(title: string): string {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<body style="font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;display:grid;place-items:center;min-height:90vh;color:#1f2d3d">
<div style="text-align:center"><h1 style="font-weight:600">${title}</h1><p>该页面尚未构建。API 文档：<a href="http://127.0.0.1:${API_PORT}/docs">http://127.0.0.1:${API_PORT}/docs</a></p></div></body></html>`;
}

/** Static server with SPA fallback to index.html. */
function serveStatic(dir: string, port: number, title: string): http.Server {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    let file = path.join(dir, path.normalize(urlPath).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(dir)) file = dir;
    if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(dir, "index.html");
    if (!existsSync(file)) {
      res.writeHead(200, { "content-type": TYPES[".html"] });
      res.end(placeholder(title));
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  server.listen(port, "127.0.0.1");
  return server;
}

/**
 * Without real WeChat credentials, development runs against the fake WeChat server (login codes,
 * 订阅消息, WeChat Pay with signed notifies), exactly as the tests do.
 */
/** Closed on shutdown (the fake WeChat server, when one runs). */
const closers: Array<() => Promise<void>> = [];

async function wechatEnv(): Promise<Record<string, string>> {
  if (process.env.WECHAT_APPID || process.env.NODE_ENV === "production") return {};
  const { startFakeWechat } = await import("../packages/testkit/src/fake-wechat/index.js");
  const fake = await startFakeWechat({ port: Number(process.env.FAKE_WECHAT_PORT ?? 3100), pay: { platformMode: "publicKey", autoCompleteRefundsAfterMs: Number(process.env.FAKE_REFUND_DELAY_MS ?? 8000) } });
  closers.push(() => fake.close());
  for (const t of ["tpl-review-passed", "tpl-review-rejected"]) fake.miniProgram.defineTemplate(t, ["thing1", "phrase2", "thing3", "time4"]);
  const dir = path.join(root, ".data", "fake-wechat");
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, "apiclient_key.pem");
  const pubFile = path.join(dir, "pub_key.pem");
  writeFileSync(keyFile, fake.pay.merchantPrivateKeyPem, { mode: 0o600 });
  writeFileSync(pubFile, fake.pay.platformPublicKeyPem);
  process.stderr.write(`fake WeChat (development) on ${fake.baseUrl}\n`);
  return {
    WECHAT_APPID: fake.miniProgram.appId,
    WECHAT_SECRET: fake.miniProgram.appSecret,
    WECHAT_API_BASE: fake.baseUrl,
    WXPAY_MCHID: fake.pay.mchId,
    WXPAY_SERIAL_NO: fake.pay.merchantSerialNo,
    WXPAY_PRIVATE_KEY_FILE: keyFile,
    WXPAY_APIV3_KEY: fake.pay.apiV3Key,
    WXPAY_API_BASE: fake.baseUrl,
    WXPAY_NOTIFY_URL: `http://127.0.0.1:${API_PORT}/api/pay/notify`,
    WXPAY_PUBLIC_KEY_ID: fake.pay.publicKeyId,
    WXPAY_PUBLIC_KEY_FILE: pubFile,
    DEV_FAKE_WECHAT_URL: fake.baseUrl,
  };
}

// The development switch: the API is production by default (real secrets required, no dev routes).
process.env.NODE_ENV ??= "development";

let stopping = false;
let started = false;
let stopRequested = false;
// A signal that arrives while things start is acted on once everything it must stop exists.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => (started ? void shutdown(0) : (stopRequested = true)));

const children: ChildProcess[] = [];
const api = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/api/src/main.ts")], { cwd: root, stdio: "inherit", env: { ...process.env, ...(await wechatEnv()) } });
children.push(api);
const servers = [
  serveStatic(path.join(root, "apps/admin/dist"), ADMIN_PORT, "gradphoto 管理后台"),
  serveStatic(path.join(root, "apps/miniprogram/dist/h5"), H5_PORT, "毕业照片采集（H5）"),
];

async function waitForApi(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${API_PORT}/readyz`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("API did not become ready in 120 s");
}

/** The demo campaign written by the seed (`<DATA_DIR>/demo.json`), so the H5 link opens it directly. */
function demoCampaignId(): string | null {
  try {
    const file = path.join(path.resolve(process.env.DATA_DIR ?? path.join(root, ".data")), "demo.json");
    const id = (JSON.parse(readFileSync(file, "utf8")) as { campaignId?: unknown }).campaignId;
    return typeof id === "string" ? id : null;
  } catch {
    return null;
  }
}

waitForApi().then(
  () => {
    if (stopping) return;
    const campaign = demoCampaignId();
    process.stderr.write(`
gradphoto is running:
  API          http://127.0.0.1:${API_PORT}        (docs: http://127.0.0.1:${API_PORT}/docs, readiness: /readyz)
  Admin        http://127.0.0.1:${ADMIN_PORT}
  H5 (mini-program in a browser)  http://127.0.0.1:${H5_PORT}/${campaign ? `?campaign=${campaign}` : ""}
Press Ctrl-C to stop.
`);
  },
  (e: Error) => {
    if (stopping) return;
    process.stderr.write(`gradphoto: ${e.message}\n`);
    void shutdown(1);
  },
);

const exited = (c: ChildProcess): Promise<void> => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", () => r())));

/**
 * Stops everything and exits only when it has stopped: the API gets SIGTERM and finishes its
 * in-flight requests and jobs (SIGKILL after 20 s), the static servers and the fake WeChat close,
 * so the ports are free once this process is gone.
 */
async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  const closeServer = (s: http.Server) =>
    new Promise<void>((r) => {
      const close = () => {
        s.close(() => r());
        s.closeAllConnections();
      };
      if (s.listening) return close();
      s.once("listening", close);
      s.once("error", () => r());
    });
  await Promise.all([
    ...servers.map(closeServer),
    ...closers.map((c) => c().catch(() => undefined)),
    ...children.map(async (c) => {
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      const kill = setTimeout(() => c.kill("SIGKILL"), 20_000);
      await exited(c);
      clearTimeout(kill);
    }),
  ]);
  process.exit(code);
}
api.on("exit", (code, signal) => {
  if (stopping) return;
  process.stderr.write(`API exited (${signal ?? `code ${code}`}); stopping\n`);
  void shutdown(code || 1);
});

started = true;
if (stopRequested) void shutdown(0);
