import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";

export const APP_DIR = path.resolve(import.meta.dirname, "../..");
export const H5_DIR = path.join(APP_DIR, "dist/h5");
export const SHOTS_DIR = path.join(APP_DIR, "test/screenshots");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Device pixel ratio of the screenshots: 1 in CI (fast); E2E_DPR=2 for a crisp docs/miniprogram-flow.png. */
export const DPR = Number(process.env.E2E_DPR ?? 1);

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".json": "application/json" };

/** Serves the built H5 app on loopback with the SPA fallback the browser router needs. */
export async function serveH5(dir = H5_DIR): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    let file = path.join(dir, path.normalize(urlPath).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dir, "index.html");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

export const LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
}

/** A phone-sized context; `session` pre-loads the app's saved login (resuming a graduate set up over the API). */
export async function phone(browser: Browser, opts: { width?: number; session?: Record<string, unknown> } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: opts.width ?? 375, height: 812 }, deviceScaleFactor: DPR, isMobile: true, hasTouch: true, locale: "zh-CN" });
  // The page on screen is the last visible .taro_page (a replaced page can linger during its exit).
  await ctx.addInitScript(() => {
    (globalThis as any).scrollShownPage = (to: "top" | "bottom") => {
      const g = globalThis as any;
      const shown = Array.from(g.document.querySelectorAll(".taro_page") as ArrayLike<any>).filter((el) => g.getComputedStyle(el).display !== "none");
      const el = shown[shown.length - 1] ?? g.document.scrollingElement;
      el.scrollTo(0, to === "top" ? 0 : el.scrollHeight);
    };
  });
  // Browser-side problems go to the test output (a failing step then says why).
  ctx.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.error(`[browser ${m.type()}] ${m.text()}`);
  });
  ctx.on("weberror", (e) => console.error(`[browser pageerror] ${e.error().message}`));
  ctx.on("requestfailed", (r) => console.error(`[browser requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
  if (opts.session) {
    await ctx.addInitScript((s) => {
      try {
        const ls = (globalThis as any).localStorage;
        if (!ls.getItem("gradphoto.session")) ls.setItem("gradphoto.session", s);
      } catch {
        /* about:blank has no storage */
      }
    }, JSON.stringify(opts.session));
  }
  return ctx;
}

declare function scrollShownPage(to: "top" | "bottom"): void;

export interface Shot {
  file: string;
  scenario: string;
  caption: string;
}

/** Screenshots of every step, plus a manifest the contact-sheet script reads. */
export class Recorder {
  private readonly shots: Shot[] = [];
  private seq = 0;

  constructor(
    readonly scenario: string,
    readonly title: string,
  ) {
    mkdirSync(SHOTS_DIR, { recursive: true });
    for (const f of readdirSync(SHOTS_DIR)) if (f.startsWith(`${scenario}-`)) rmSync(path.join(SHOTS_DIR, f));
  }

  /** Waits for the page to settle (images loaded, no spinner), then saves the viewport. */
  async snap(page: Page, caption: string, opts: { scrollToBottom?: boolean } = {}): Promise<void> {
    await settle(page);
    if (opts.scrollToBottom) {
      await page.evaluate(() => scrollShownPage("bottom"));
      await page.waitForTimeout(150);
    }
    const file = `${this.scenario}-${String(++this.seq).padStart(2, "0")}.png`;
    await page.screenshot({ path: path.join(SHOTS_DIR, file) });
    this.shots.push({ file, scenario: this.title, caption });
    if (opts.scrollToBottom) await page.evaluate(() => scrollShownPage("top"));
  }

  save(): void {
    writeFileSync(path.join(SHOTS_DIR, `${this.scenario}.json`), JSON.stringify(this.shots, null, 2));
  }
}

export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const d = (globalThis as any).document;
      return Array.from(d.images as ArrayLike<{ complete: boolean }>).every((i) => i.complete) && !d.querySelector(".taro_page_show [data-testid=loading]");
    },
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForTimeout(120);
}

/** A visible button by its accessible name (the hidden footer spacer is aria-hidden). */
export function button(page: Page, name: string | RegExp): Locator {
  return page.locator(".taro_page_show").getByRole("button", { name });
}

export async function onPage(page: Page, id: string, timeout = 60_000): Promise<void> {
  await page.locator(`.taro_page_show [data-testid=page-${id}]`).waitFor({ timeout });
}

/** Taps something that opens the browser's file chooser and answers it with `file`. */
export async function chooseFile(page: Page, tap: () => Promise<void>, file: string): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), tap()]);
  await chooser.setFiles(file);
}

/** Scrolls the 温馨提示 to its end, as a reader would. */
export async function readConsent(page: Page): Promise<void> {
  await page.locator("#consent-scroll").evaluate((el: any) => {
    el.scrollTop = el.scrollHeight;
    el.dispatchEvent(new (globalThis as any).Event("scroll"));
  });
}
