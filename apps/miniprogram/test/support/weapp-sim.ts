/**
 * A minimal stand-in for WeChat's mini-program runtime, enough to run the weapp build's JavaScript
 * in Node: the app's and pages' scripts are evaluated in a fresh V8 context with no DOM (as on
 * WeChat's JS engine), `App`/`Page`/`Component` record their configs, and `wx.*` APIs are stubs —
 * except `wx.request` and `wx.uploadFile`, which go over real HTTP to the API under test.
 * It cannot render WXML and does not deliver tap events (Taro's event lookup did not resolve the
 * simulated nodes); what it checks is that the bundle runs on an engine without a DOM, every page
 * registers and mounts, and the typed API client (zod included) talks to the real API through
 * WeChat's request transport and renders the answer into the page data.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

export interface WxCall {
  api: string;
  args: unknown[];
}

export interface PageInstance {
  route: string;
  data: Record<string, unknown>;
  setDataCalls: number;
  /** all text in the page's rendered data tree */
  text(): string;
  /** labels of the buttons on the page */
  buttons(): string[];
}

interface RenderNode {
  sid?: string;
  v?: string;
  role?: string;
  ariaDisabled?: boolean;
  cn?: RenderNode[];
}

type Config = Record<string, unknown>;

export class WeappSim {
  readonly calls: WxCall[] = [];
  readonly storage = new Map<string, unknown>();
  readonly errors: unknown[] = [];
  appConfig?: Config;
  readonly pageConfigs = new Map<string, Config>();
  readonly componentConfigs: Config[] = [];
  private readonly context: vm.Context;
  private readonly modules = new Map<string, unknown>();
  private currentFile = "";
  private readonly pages: Array<{ route: string; inst: Config }> = [];

  /** wx APIs a test answers itself (scanCode, requestPayment, …) */
  readonly overrides: Record<string, (o: Record<string, unknown> & { success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: () => void }) => void> = {};

  constructor(
    private readonly dir: string,
    /** rewrites request URLs (the build's API origin → the test server) */
    private readonly rewriteUrl: (url: string) => string,
    /** answers `wx.login` */
    private readonly loginCode: () => Promise<string>,
  ) {
    const sim = this;
    const record = (api: string) => (...args: unknown[]) => {
      sim.calls.push({ api, args });
    };
    const known: Record<string, unknown> = {
      getSystemInfoSync: () => ({ platform: "devtools", windowWidth: 375, windowHeight: 812, screenWidth: 375, screenHeight: 812, pixelRatio: 2, statusBarHeight: 20, language: "zh_CN", version: "8.0.50", SDKVersion: "3.5.0", fontSizeSetting: 16 }),
      getWindowInfo: () => ({ windowWidth: 375, windowHeight: 812, screenWidth: 375, screenHeight: 812, pixelRatio: 2, statusBarHeight: 20 }),
      getAppBaseInfo: () => ({ SDKVersion: "3.5.0", language: "zh_CN", version: "8.0.50" }),
      getDeviceInfo: () => ({ platform: "devtools", system: "iOS 17" }),
      getMenuButtonBoundingClientRect: () => ({ top: 24, bottom: 56, left: 280, right: 367, width: 87, height: 32 }),
      getLaunchOptionsSync: () => ({ path: "pages/index/index", query: {}, scene: 1001 }),
      getEnterOptionsSync: () => ({ path: "pages/index/index", query: {}, scene: 1001 }),
      canIUse: () => true,
      getStorageSync: (k: string) => (sim.storage.has(k) ? sim.storage.get(k) : ""),
      setStorageSync: (k: string, v: unknown) => void sim.storage.set(k, v),
      removeStorageSync: (k: string) => void sim.storage.delete(k),
      getStorage: (o: { key: string; success?: (r: unknown) => void; fail?: (e: unknown) => void }) =>
        sim.storage.has(o.key) ? o.success?.({ data: sim.storage.get(o.key) }) : o.fail?.({ errMsg: "getStorage:fail data not found" }),
      setStorage: (o: { key: string; data: unknown; success?: () => void }) => {
        sim.storage.set(o.key, o.data);
        o.success?.();
      },
      nextTick: (fn: () => void) => setTimeout(fn, 0),
      login: (o: { success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: () => void }) => {
        sim.calls.push({ api: "login", args: [] });
        sim.loginCode().then((code) => o.success?.({ code, errMsg: "login:ok" }), (e) => o.fail?.({ errMsg: `login:fail ${String(e)}` })).finally(() => o.complete?.());
      },
      request: (o: { url: string; method?: string; header?: Record<string, string>; data?: unknown; success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: () => void }) => {
        sim.calls.push({ api: "request", args: [{ url: o.url, method: o.method }] });
        const method = (o.method ?? "GET").toUpperCase();
        const body = method === "GET" || o.data === undefined ? undefined : typeof o.data === "string" ? o.data : JSON.stringify(o.data);
        fetch(sim.rewriteUrl(o.url), { method, headers: o.header, body })
          .then(async (r) => o.success?.({ statusCode: r.status, data: await r.text(), header: Object.fromEntries(r.headers), errMsg: "request:ok" }))
          .catch((e: unknown) => o.fail?.({ errMsg: `request:fail ${String(e)}` }))
          .finally(() => o.complete?.());
        return { abort: () => undefined, onHeadersReceived: () => undefined, offHeadersReceived: () => undefined };
      },
      uploadFile: (o: { url: string; filePath: string; name: string; header?: Record<string, string>; formData?: Record<string, string>; success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: () => void }) => {
        sim.calls.push({ api: "uploadFile", args: [{ url: o.url, filePath: o.filePath, name: o.name }] });
        const form = new FormData();
        for (const [k, v] of Object.entries(o.formData ?? {})) form.append(k, v);
        form.append(o.name, new Blob([readFileSync(o.filePath)]), path.basename(o.filePath));
        fetch(sim.rewriteUrl(o.url), { method: "POST", headers: o.header, body: form })
          .then(async (r) => o.success?.({ statusCode: r.status, data: await r.text(), errMsg: "uploadFile:ok" }))
          .catch((e: unknown) => o.fail?.({ errMsg: `uploadFile:fail ${String(e)}` }))
          .finally(() => o.complete?.());
        return { abort: () => undefined, onProgressUpdate: () => undefined };
      },
    };
    // Every other wx API: recorded, and answered with success where it takes callbacks.
    const wx = new Proxy(known, {
      get(target, prop: string) {
        const own = Object.hasOwn(sim.overrides, prop) ? sim.overrides[prop] : undefined;
        if (own) return (o: Parameters<typeof own>[0]) => {
          sim.calls.push({ api: prop, args: [o] });
          own(o);
        };
        if (prop in target) return target[prop];
        if (prop === "webpackJsonp") return undefined;
        return (o?: { success?: (r: unknown) => void; complete?: () => void }) => {
          record(prop)(o);
          if (o && typeof o === "object") {
            o.success?.({ errMsg: `${prop}:ok` });
            o.complete?.();
          }
          return undefined;
        };
      },
      set(target, prop: string, value) {
        target[prop] = value;
        return true;
      },
    });

    const globals: Record<string, unknown> = {
      wx,
      console,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      Promise,
      App: (c: Config) => (sim.appConfig = c),
      Page: (c: Config) => void sim.pageConfigs.set(sim.currentFile, c),
      Component: (c: Config) => void sim.componentConfigs.push(c),
      Behavior: (c: Config) => c,
      getApp: () => sim.appConfig,
      getCurrentPages: () => sim.pages.map((p) => p.inst),
      requirePlugin: () => ({}),
    };
    this.context = vm.createContext(globals);
    // a global object without window/document, as in WeChat's JS engine
    vm.runInContext("globalThis.global = globalThis;", this.context);
  }

  /** Evaluates a bundle file (CommonJS as WeChat loads it), once. */
  require(file: string, from = this.dir): unknown {
    let abs = path.resolve(from, file);
    if (!abs.endsWith(".js")) abs += ".js";
    if (this.modules.has(abs)) return (this.modules.get(abs) as { exports: unknown }).exports;
    const module = { exports: {} as unknown };
    this.modules.set(abs, module);
    const code = readFileSync(abs, "utf8");
    const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, this.context, { filename: abs }) as (r: (f: string) => unknown, m: unknown, e: unknown) => void;
    const prev = this.currentFile;
    this.currentFile = path.relative(this.dir, abs).replace(/\.js$/, "");
    try {
      fn((f) => this.require(f, path.dirname(abs)), module, module.exports);
    } finally {
      this.currentFile = prev;
    }
    return module.exports;
  }

  /** Loads app.js and calls App's onLaunch/onShow with the launch query. */
  launch(query: Record<string, string>): void {
    this.require("app.js");
    const app = this.appConfig as { onLaunch?: (o: unknown) => void; onShow?: (o: unknown) => void } | undefined;
    if (!app) throw new Error("app.js did not call App()");
    app.onLaunch?.call(app, { path: "pages/index/index", query, scene: 1001 });
    app.onShow?.call(app, { path: "pages/index/index", query, scene: 1001 });
  }

  /** Loads a page script, creates a page instance and runs onLoad/onShow/onReady. */
  openPage(route: string, query: Record<string, string> = {}): PageInstance {
    this.require(`${route}.js`);
    const config = this.pageConfigs.get(route);
    if (!config) throw new Error(`${route} did not call Page()`);
    const state = { data: structuredClone((config.data as Record<string, unknown>) ?? {}), setDataCalls: 0 };
    const inst: Config = Object.create(config);
    Object.assign(inst, {
      route,
      __wxExparserNodeId__: `page-${this.pages.length}`,
      data: state.data,
      options: query,
      setData(patch: Record<string, unknown>, cb?: () => void) {
        state.setDataCalls++;
        for (const [k, v] of Object.entries(patch)) setPath(state.data, k, v);
        if (cb) setTimeout(cb, 0);
      },
      selectComponent: () => null,
      createSelectorQuery: () => ({ select: () => ({ boundingClientRect: () => ({ exec: () => undefined }) }), exec: () => undefined }),
      getPageId: () => `page-${this.pages.length}`,
    });
    this.pages.push({ route, inst });
    for (const hook of ["onLoad", "onShow", "onReady"] as const) {
      const f = inst[hook] as ((o?: unknown) => void) | undefined;
      f?.call(inst, hook === "onLoad" ? query : undefined);
    }
    const buttons = (): RenderNode[] => findAll(state.data.root as RenderNode, (n) => n.role === "button");
    return {
      route,
      get data() {
        return state.data;
      },
      get setDataCalls() {
        return state.setDataCalls;
      },
      text: () => collectText(state.data),
      buttons: () => buttons().map((b) => nodeText(b)),
    };
  }
}

function findAll(node: RenderNode | undefined, pred: (n: RenderNode) => boolean, out: RenderNode[] = []): RenderNode[] {
  if (!node) return out;
  if (pred(node)) out.push(node);
  for (const c of node.cn ?? []) findAll(c, pred, out);
  return out;
}

function nodeText(n: RenderNode): string {
  return (n.v ?? "") + (n.cn ?? []).map(nodeText).join("");
}

/** Applies a setData key such as "root.cn.[0].cn.[2].v" or "root.cn[0].v". */
function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean);
  let o: Record<string, unknown> = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (typeof o[p] !== "object" || o[p] === null) o[p] = /^\d+$/.test(parts[i + 1]!) ? [] : {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

function collectText(node: unknown): string {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return node.map(collectText).join("");
  if (node && typeof node === "object") return Object.values(node).map(collectText).join(" ");
  return "";
}
