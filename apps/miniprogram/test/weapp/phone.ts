/**
 * A simulated WeChat client running the real weapp build (dist/weapp):
 * - logic layer: the build's JavaScript (Taro runtime, React, the app) in a fresh V8 context with
 *   stand-ins for `App`, `Page`, `Component`, `getApp`, `getCurrentPages` and `wx` (wx.ts); a page
 *   stack with WeChat's lifecycle (onLoad → onShow → onReady, onHide/onUnload) and its limit of 10;
 *   `setData` applies WeChat's path keys (`root.cn.[0].cn.[1].v`) and its payload sizes are measured;
 * - view layer: WeChat's compiled templates render the page data (view.ts);
 * - events are delivered as the client does: a tap calls the handler named by `bindtap`/`catchtap`
 *   on the node's owner (page or component) with `currentTarget.dataset.sid`, then bubbles to every
 *   ancestor that binds tap (`catchtap` stops); `scrolltolower`, `input` and `submit` go to the node.
 * The test reads only what is rendered: text, and the class names of the nodes it taps.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { closest, datasetOf, elements, hasClass, textOf, ViewLayer, type Owner, type VNode } from "./view.js";
import { WxDevice, type WxOptions } from "./wx.js";

type Config = Record<string, any>;

interface PageEntry {
  id: string;
  route: string;
  inst: Config;
  dirty: boolean;
  tree: VNode | null;
}

export interface SetDataStat {
  route: string;
  bytes: number;
  /** the payload as sent, to tell what a page showed even for one render */
  json: string;
}

export interface PhoneOptions extends WxOptions {
  dist: string;
  view: ViewLayer;
  /** the launch query (a QR code or share link's `?campaign=`) */
  query?: Record<string, string>;
}

const MAX_STACK = 10;

export class Phone {
  readonly wx: WxDevice;
  readonly errors: unknown[];
  readonly consoleErrors: string[] = [];
  readonly setData: SetDataStat[] = [];
  /** setData keys whose value was undefined (WeChat drops them with a warning) */
  readonly undefinedData: string[] = [];
  maxStackDepth = 0;
  /** every route opened */
  readonly visited = new Set<string>();
  private readonly ctx: vm.Context;
  private readonly modules = new Map<string, { exports: unknown }>();
  private readonly pageConfigs = new Map<string, Config>();
  private readonly componentConfigs = new Map<string, Config>();
  private readonly stack: PageEntry[] = [];
  private readonly appPages: string[];
  private appInst: Config | null = null;
  private currentFile = "";
  private seq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: PhoneOptions) {
    this.wx = new WxDevice(o);
    this.errors = this.wx.errors;
    this.appPages = (JSON.parse(readFileSync(path.join(o.dist, "app.json"), "utf8")) as { pages: string[] }).pages;
    this.wx.nav = {
      navigateTo: (url) => this.navigate("navigateTo", url),
      redirectTo: (url) => this.navigate("redirectTo", url),
      reLaunch: (url) => this.navigate("reLaunch", url),
      navigateBack: (delta) => this.back(delta),
      pageIds: () => this.stack.map((p) => p.id),
    };
    this.wx.selectorQuery = () => this.selectorQuery();
    const guard =
      <A extends unknown[]>(fn: (...a: A) => unknown) =>
      (...a: A) => {
        try {
          return fn(...a);
        } catch (e) {
          this.errors.push(e);
          return undefined;
        }
      };
    const phone = this;
    const globals: Record<string, unknown> = {
      wx: this.wx.build(),
      console: {
        log: () => undefined,
        info: () => undefined,
        debug: () => undefined,
        warn: (...a: unknown[]) => phone.consoleErrors.push(`warn: ${a.map(String).join(" ")}`),
        error: (...a: unknown[]) => phone.consoleErrors.push(`error: ${a.map((x) => (x instanceof Error ? x.stack : String(x))).join(" ")}`),
      },
      setTimeout: (fn: () => void, ms?: number, ...args: unknown[]) => {
        const t = setTimeout(() => {
          phone.timers.delete(t);
          guard(fn as (...a: unknown[]) => unknown)(...args);
        }, ms);
        phone.timers.add(t);
        return t;
      },
      clearTimeout: (t: NodeJS.Timeout) => {
        phone.timers.delete(t);
        clearTimeout(t);
      },
      setInterval: (fn: () => void, ms?: number, ...args: unknown[]) => {
        const t = setInterval(guard(fn as (...a: unknown[]) => unknown), ms, ...args);
        phone.timers.add(t);
        return t;
      },
      clearInterval: (t: NodeJS.Timeout) => {
        phone.timers.delete(t);
        clearInterval(t);
      },
      App: (c: Config) => void (phone.appInst = c),
      Page: (c: Config) => void phone.pageConfigs.set(phone.currentFile, c),
      Component: (c: Config) => void phone.componentConfigs.set(phone.currentFile, c),
      Behavior: (c: Config) => c,
      getApp: () => phone.appInst,
      getCurrentPages: () => phone.stack.map((p) => p.inst),
      requirePlugin: () => ({}),
    };
    this.ctx = vm.createContext(globals);
    vm.runInContext("globalThis.global = globalThis;", this.ctx);
  }

  // ---------------------------------------------------------------- loading code

  private require(file: string, from = this.o.dist): unknown {
    let abs = path.resolve(from, file);
    if (!abs.endsWith(".js")) abs += ".js";
    const cached = this.modules.get(abs);
    if (cached) return cached.exports;
    const module = { exports: {} as unknown };
    this.modules.set(abs, module);
    const code = readFileSync(abs, "utf8");
    const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, this.ctx, { filename: abs }) as (r: (f: string) => unknown, m: unknown, e: unknown) => void;
    const prev = this.currentFile;
    this.currentFile = path.relative(this.o.dist, abs).replace(/\.js$/, "");
    try {
      fn((f) => this.require(f, path.dirname(abs)), module, module.exports);
    } finally {
      this.currentFile = prev;
    }
    return module.exports;
  }

  /** Starts the mini-program as a scan of the campaign's QR code does: app.js, then the home page. */
  launch(route = "pages/index/index"): this {
    this.require("app.js");
    const app = this.appInst;
    if (!app) throw new Error("app.js did not call App()");
    const opts = { path: route, query: { ...(this.o.query ?? {}) }, scene: 1011, referrerInfo: {} };
    app.onLaunch?.call(app, opts);
    app.onShow?.call(app, opts);
    const q = Object.entries(this.o.query ?? {}).map(([k, v]) => `${k}=${v}`).join("&");
    const err = this.navigate("reLaunch", `/${route}${q ? `?${q}` : ""}`);
    if (err) throw new Error(err);
    return this;
  }

  // ---------------------------------------------------------------- page stack

  private usingComponents = (wxmlPath: string): Record<string, string> => {
    const json = path.join(this.o.dist, wxmlPath.replace(/\.wxml$/, ".json"));
    return existsSync(json) ? ((JSON.parse(readFileSync(json, "utf8")) as { usingComponents?: Record<string, string> }).usingComponents ?? {}) : {};
  };

  private createPage(route: string, query: Record<string, string>): PageEntry {
    this.require(`${route}.js`);
    const config = this.pageConfigs.get(route);
    if (!config) throw new Error(`${route} did not call Page()`);
    const id = `page-${++this.seq}`;
    const entry: PageEntry = { id, route, inst: {}, dirty: true, tree: null };
    const phone = this;
    const inst: Config = { ...config };
    Object.assign(inst, {
      data: structuredClone(config.data ?? {}),
      route,
      __route__: route,
      options: query,
      __wxExparserNodeId__: id,
      __wxWebviewId__: this.seq,
      setData(patch: Record<string, unknown>, cb?: () => void) {
        phone.applySetData(entry, patch);
        if (cb) setTimeout(() => {
          try {
            cb();
          } catch (e) {
            phone.errors.push(e);
          }
        }, 0);
      },
      selectComponent: () => null,
      selectAllComponents: () => [],
      createSelectorQuery: () => phone.selectorQuery(),
      getPageId: () => id,
      getOpenerEventChannel: () => ({ emit: () => undefined, on: () => undefined, off: () => undefined, once: () => undefined }),
    });
    entry.inst = inst;
    return entry;
  }

  private applySetData(entry: PageEntry, patch: Record<string, unknown>): void {
    const json = JSON.stringify(patch);
    this.setData.push({ route: entry.route, bytes: Buffer.byteLength(json, "utf8"), json });
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) this.undefinedData.push(`${entry.route}: ${k}`);
      setPath(entry.inst.data as Record<string, unknown>, k, v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
    }
    entry.dirty = true;
  }

  private parseUrl(url: string): { route: string; query: Record<string, string> } {
    const [p, q = ""] = url.split("?");
    const route = p!.replace(/^\//, "");
    const query: Record<string, string> = {};
    for (const kv of q.split("&").filter(Boolean)) {
      const [k, v = ""] = kv.split("=");
      query[k!] = v; // WeChat hands the query over undecoded
    }
    return { route, query };
  }

  private call(entry: PageEntry, hook: string, arg?: unknown): void {
    const f = entry.inst[hook] as ((a?: unknown) => void) | undefined;
    if (!f) return;
    try {
      f.call(entry.inst, arg);
    } catch (e) {
      this.errors.push(e);
    }
  }

  private open(route: string, query: Record<string, string>): void {
    const entry = this.createPage(route, query);
    this.visited.add(route);
    this.stack.push(entry);
    this.maxStackDepth = Math.max(this.maxStackDepth, this.stack.length);
    this.call(entry, "onLoad", query);
    this.call(entry, "onShow");
    this.call(entry, "onReady");
  }

  private navigate(kind: "navigateTo" | "redirectTo" | "reLaunch", url: string): string | null {
    const { route, query } = this.parseUrl(url);
    if (!this.appPages.includes(route)) return `page "${route}" is not found`;
    if (kind === "navigateTo") {
      if (this.stack.length >= MAX_STACK) return "webview count limit exceed";
      const top = this.stack.at(-1);
      if (top) this.call(top, "onHide");
    } else if (kind === "redirectTo") {
      const top = this.stack.pop();
      if (top) this.call(top, "onUnload");
    } else {
      while (this.stack.length) this.call(this.stack.pop()!, "onUnload");
    }
    this.open(route, query);
    return null;
  }

  private back(delta: number): string | null {
    if (this.stack.length <= 1) return "cannot navigate back at first page.";
    for (let i = 0; i < delta && this.stack.length > 1; i++) this.call(this.stack.pop()!, "onUnload");
    this.call(this.stack.at(-1)!, "onShow");
    return null;
  }

  /** Layout is not computed here: queried nodes report a phone-sized box whose content is taller than it. */
  private selectorQuery(): unknown {
    const box = { id: "", dataset: {}, left: 16, right: 359, top: 120, bottom: 600, width: 343, height: 480, scrollLeft: 0, scrollTop: 0, scrollWidth: 343, scrollHeight: 1600 };
    const results: unknown[] = [];
    const cbs: Array<((r: unknown) => void) | undefined> = [];
    const q = {
      in: () => q,
      select: () => nodes(),
      selectAll: () => nodes(),
      selectViewport: () => nodes(),
      exec: (cb?: (r: unknown[]) => void) => {
        setTimeout(() => {
          results.forEach((r, i) => cbs[i]?.(r));
          cb?.(results);
        }, 0);
        return undefined;
      },
    };
    const push = (cb?: (r: unknown) => void) => {
      results.push({ ...box });
      cbs.push(cb);
      return q;
    };
    const nodes = () => ({ boundingClientRect: push, scrollOffset: push, fields: (_f: unknown, cb?: (r: unknown) => void) => push(cb), node: push, context: push });
    return q;
  }

  // ---------------------------------------------------------------- reading the screen

  get openid(): string {
    return this.o.openid;
  }

  /** Puts the phone away: the app's timers stop. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get route(): string {
    return this.stack.at(-1)?.route ?? "";
  }

  get depth(): number {
    return this.stack.length;
  }

  /** The rendered tree of the page on top. */
  screen(): VNode {
    const top = this.stack.at(-1);
    if (!top) throw new Error("no page open");
    if (top.dirty || !top.tree) {
      const owner: Owner = { kind: "page", path: top.route, handler: (n) => bindTo(top.inst[n], top.inst) };
      top.tree = this.o.view.render(`${top.route}.wxml`, top.inst.data, owner, (p) => this.componentOwner(p), this.usingComponents);
      top.dirty = false;
    }
    return top.tree;
  }

  private readonly compInstances = new Map<string, Config>();
  private componentOwner(p: string): Owner {
    let i: Config | undefined = this.compInstances.get(p);
    if (!i) {
      this.require(`${p}.js`);
      const config = this.componentConfigs.get(p);
      if (!config) throw new Error(`${p} did not call Component()`);
      const created: Config = { ...((config.methods as Config | undefined) ?? {}), data: {}, is: p };
      this.compInstances.set(p, created);
      i = created;
    }
    return { kind: "component", path: p, handler: (n) => bindTo(i[n], i) };
  }

  /** All text on screen (and an open dialog's). */
  text(): string {
    const d = this.wx.dialog;
    return textOf(this.screen()) + (d ? `\n${d.title}\n${d.content}\n${d.cancelText ?? ""}\n${d.confirmText}` : "");
  }

  /** Text of the nodes with this class. */
  textsOf(className: string): string[] {
    return elements(this.screen())
      .filter((n) => hasClass(n, className))
      .map((n) => textOf(n).trim());
  }

  has(className: string): boolean {
    return elements(this.screen()).some((n) => hasClass(n, className));
  }

  /** How many nodes carry all these classes. */
  count(...classNames: string[]): number {
    return elements(this.screen()).filter((n) => classNames.every((c) => hasClass(n, c))).length;
  }

  /** Labels of the tappable buttons (class "btn"), disabled ones marked. */
  buttons(): string[] {
    return elements(this.screen())
      .filter((n) => hasClass(n, "btn") && !closest(n, (x) => hasClass(x, "footer-spacer")))
      .map((n) => textOf(n).trim() + (hasClass(n, "btn-disabled") ? " (disabled)" : ""));
  }

  /** Waits until `pred` holds on the rendered screen. */
  async waitFor<T>(pred: () => T | null | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      this.throwErrors();
      const v = pred();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what} on ${this.route}\n--- screen ---\n${this.text().slice(0, 1500)}\n--- buttons ---\n${this.buttons().join(" | ")}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async waitForText(s: string | RegExp, timeoutMs?: number): Promise<void> {
    await this.waitFor(() => (typeof s === "string" ? this.text().includes(s) : s.test(this.text())), `text ${String(s)}`, timeoutMs);
  }

  /** Waits for the page `route` ("pages/x/index" or "x") to be on top and done loading. */
  async onPage(route: string, timeoutMs?: number): Promise<void> {
    const r = route.includes("/") ? route : `pages/${route}/index`;
    await this.waitFor(() => (this.route === r && !this.has("spinner") && textOf(this.screen()).trim() !== "") || null, `page ${r}`, timeoutMs);
  }

  throwErrors(): void {
    if (this.errors.length) throw Object.assign(new Error(`the mini-program threw: ${String((this.errors[0] as Error)?.stack ?? this.errors[0])}`), { errors: this.errors });
  }

  // ---------------------------------------------------------------- events

  private timeStamp(): number {
    return Math.round(performance.now());
  }

  /** The innermost node whose text is `label` (the last such on screen: the fixed footer, not its spacer). */
  private find(label: string | RegExp, opts: { enabled?: boolean } = {}): VNode | null {
    const matches = elements(this.screen()).filter((n) => {
      const t = textOf(n).trim();
      if (!(typeof label === "string" ? t === label : label.test(t))) return false;
      // innermost: no child element carries the same text
      return !n.children.some((c) => typeof c !== "string" && textOf(c).trim() === t);
    });
    const usable = matches.filter((n) => !opts.enabled || !closest(n, (x) => hasClass(x, "btn-disabled")));
    return usable.at(-1) ?? null;
  }

  /**
   * Taps the element showing `label` once it is on screen and enabled; an open dialog's buttons
   * take the tap first. Returns after the handlers ran (not after what they started).
   */
  async tap(label: string | RegExp, timeoutMs = 30_000): Promise<void> {
    const d = this.wx.dialog;
    if (d && typeof label === "string" && (label === d.confirmText || label === d.cancelText)) {
      d.answer(label === d.confirmText);
      return;
    }
    const node = await this.waitFor(() => this.find(label, { enabled: true }), `an enabled "${String(label)}"`, timeoutMs);
    this.tapNode(node);
  }

  /** Taps the (last) node with this class once it is on screen, e.g. an icon-only control. */
  async tapClass(className: string, timeoutMs = 30_000): Promise<void> {
    const node = await this.waitFor(() => elements(this.screen()).filter((n) => hasClass(n, className)).at(-1), `a .${className}`, timeoutMs);
    this.tapNode(node);
  }

  /** Delivers a tap on `target` and bubbles it as the client does. */
  tapNode(target: VNode): void {
    const chain: Array<{ node: VNode; handler: string }> = [];
    for (let x: VNode | null = target; x; x = x.parent) {
      const h = (x.attr.catchtap ?? x.attr.bindtap) as string | undefined;
      if (h) chain.push({ node: x, handler: h });
      if (x.attr.catchtap) break;
    }
    if (!chain.length) throw new Error(`nothing on "${textOf(target)}" handles a tap`);
    this.wx.inTap = true;
    try {
      this.deliverTap(target, chain);
    } finally {
      this.wx.inTap = false;
    }
    this.throwErrors();
  }

  private deliverTap(target: VNode, chain: Array<{ node: VNode; handler: string }>): void {
    const ts = this.timeStamp();
    const touch = { identifier: 0, pageX: 180, pageY: 400, clientX: 180, clientY: 400, force: 1 };
    const targetInfo = { id: String(target.attr.id ?? ""), offsetLeft: 0, offsetTop: 0, dataset: datasetOf(target) };
    for (const { node, handler } of chain) {
      const fn = node.owner.handler(handler);
      if (!fn) throw new Error(`${node.owner.path} has no handler "${handler}"`);
      const event = {
        type: "tap",
        timeStamp: ts,
        target: targetInfo,
        currentTarget: { id: String(node.attr.id ?? ""), offsetLeft: 0, offsetTop: 0, dataset: datasetOf(node) },
        detail: { x: 180, y: 400 },
        touches: [touch],
        changedTouches: [touch],
        mark: {},
        mut: false,
        _userTap: true,
      };
      try {
        fn(event);
      } catch (e) {
        this.errors.push(e);
      }
    }
  }

  /** A non-bubbling component event (scrolltolower, input, change, submit, error, …) on the node with `id`. */
  fire(id: string, type: string, detail: Record<string, unknown> = {}): void {
    this.fireOn((n) => n.attr.id === id, type, detail, `#${id}`);
  }

  /** The same on the first node matching `pred` (e.g. by tag: `n.tag === "wx-camera"`). */
  fireOn(pred: (n: VNode) => boolean, type: string, detail: Record<string, unknown> = {}, what = "the node"): void {
    const node = elements(this.screen()).find(pred);
    if (!node) throw new Error(`no ${what} on ${this.route}`);
    const id = String(node.attr.id ?? "");
    const h = (node.attr[`bind${type}`] ?? node.attr[`catch${type}`]) as string | undefined;
    if (!h) throw new Error(`${what} does not bind ${type}`);
    const fn = node.owner.handler(h);
    if (!fn) throw new Error(`${node.owner.path} has no handler "${h}"`);
    const info = { id, offsetLeft: 0, offsetTop: 0, dataset: datasetOf(node) };
    try {
      fn({ type, timeStamp: this.timeStamp(), target: info, currentTarget: info, detail, mark: {}, mut: false });
    } catch (e) {
      this.errors.push(e);
    }
    this.throwErrors();
  }

  /** Scrolls a scroll-view to its end: the client fires scrolltolower. */
  async scrollToLower(id: string): Promise<void> {
    await this.waitFor(() => elements(this.screen()).some((n) => n.attr.id === id), `#${id}`);
    this.fire(id, "scroll", { scrollLeft: 0, scrollTop: 1120, scrollHeight: 1600, scrollWidth: 343, deltaX: 0, deltaY: -1120 });
    this.fire(id, "scrolltolower", { direction: "bottom" });
  }

  /**
   * Pulls the page down: the client refreshes only pages whose JSON enables it, calling
   * onPullDownRefresh; the page must end it with wx.stopPullDownRefresh.
   */
  async pullDownRefresh(): Promise<void> {
    const top = this.stack.at(-1);
    if (!top) throw new Error("no page open");
    const json = JSON.parse(readFileSync(path.join(this.o.dist, `${top.route}.json`), "utf8")) as { enablePullDownRefresh?: boolean };
    if (!json.enablePullDownRefresh) throw new Error(`${top.route} does not enable pull-down refresh: the gesture does nothing`);
    const before = this.wx.calls.filter((c) => c.api === "stopPullDownRefresh").length;
    this.call(top, "onPullDownRefresh");
    this.throwErrors();
    await this.waitFor(() => this.wx.calls.filter((c) => c.api === "stopPullDownRefresh").length > before, "wx.stopPullDownRefresh");
  }

  /** Typing into an input (`bindinput`), as the client reports it. */
  input(id: string, value: string): void {
    this.fire(id, "input", { value, cursor: value.length, keyCode: 0 });
  }

  /** Submitting a form (`bindsubmit`) with its fields' values. */
  submit(id: string, value: Record<string, unknown>): void {
    this.fire(id, "submit", { value, target: {} });
  }

  /** Waits until no request is in flight and the screen stayed the same for a few polls. */
  async settle(): Promise<void> {
    let last: string | null = null;
    let stable = 0;
    await this.waitFor(() => {
      const t = this.wx.inFlight ? null : this.text();
      stable = t !== null && t === last ? stable + 1 : 0;
      last = t;
      return stable >= 4;
    }, "a settled screen");
  }

  /** Largest single setData payload so far. */
  largestSetData(): SetDataStat {
    return this.setData.reduce((a, b) => (b.bytes > a.bytes ? b : a), { route: "", bytes: 0, json: "" });
  }
}

function bindTo(f: unknown, self: unknown): ((e: unknown) => unknown) | undefined {
  return typeof f === "function" ? (e: unknown) => (f as (e: unknown) => unknown).call(self, e) : undefined;
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
