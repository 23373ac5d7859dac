/**
 * The view layer: WeChat's compiled templates (`$gwx` from wcc) turn a page's data into the virtual
 * tree the client renders. They run in their own V8 context with the globals the client's webview
 * provides (`window`, `__webview_engine_version__`). Their copy routine checks
 * `o.constructor === Object`, so page data is re-created in that context (its own JSON.parse) —
 * data from another realm would silently render as null.
 * A custom component (`<comp>`, Taro's recursion past the template depth) is rendered with its own
 * template and the node's properties, as the client does, and owns the events inside it.
 */
import vm from "node:vm";
import { gwxSource } from "./tools.js";

/** Who handles a node's events: the page, or a custom component instance. */
export interface Owner {
  kind: "page" | "component";
  path: string;
  handler(name: string): ((event: unknown) => unknown) | undefined;
}

export interface VNode {
  tag: string;
  attr: Record<string, unknown>;
  children: Array<VNode | string>;
  parent: VNode | null;
  owner: Owner;
}

interface RawNode {
  tag?: string;
  attr?: Record<string, unknown>;
  children?: Array<RawNode | string>;
}

type Gwx = (path: string) => ((data: unknown, env: unknown, root: unknown) => RawNode) | undefined;

export class ViewLayer {
  private readonly gwx: Gwx;
  private readonly parse: (s: string) => unknown;

  constructor(dir: string) {
    const ctx = vm.createContext({ console });
    vm.runInContext("globalThis.window = globalThis; globalThis.__webview_engine_version__ = 0.02;", ctx);
    this.gwx = (vm.runInContext(`(function (global) {${gwxSource(dir)}\n})`, ctx) as (g: unknown) => Gwx)({});
    this.parse = vm.runInContext("JSON.parse", ctx) as (s: string) => unknown;
  }

  /** Whether the compiled templates have a render function for `wxmlPath`. */
  has(wxmlPath: string): boolean {
    return typeof this.gwx(wxmlPath) === "function";
  }

  /** Renders `wxmlPath` (e.g. "pages/index/index.wxml") with `data`; custom components are expanded. */
  render(wxmlPath: string, data: unknown, owner: Owner, componentOwner: (path: string) => Owner, usingComponents: (wxmlPath: string) => Record<string, string>): VNode {
    const gen = this.gwx(wxmlPath);
    if (!gen) throw new Error(`no compiled template for ${wxmlPath}`);
    const raw = gen(this.parse(JSON.stringify(data ?? {})), {}, {});
    const root: VNode = { tag: raw.tag ?? "wx-page", attr: {}, children: [], parent: null, owner };
    const using = usingComponents(wxmlPath);
    const walk = (n: RawNode | string, parent: VNode, own: Owner, comps: Record<string, string>, base: string) => {
      if (typeof n === "string") {
        if (n !== "") parent.children.push(n);
        return;
      }
      if (!n || typeof n !== "object") return;
      const tag = n.tag ?? "virtual";
      if (tag === "virtual") {
        for (const c of n.children ?? []) walk(c, parent, own, comps, base);
        return;
      }
      const node: VNode = { tag, attr: n.attr ?? {}, children: [], parent, owner: own };
      parent.children.push(node);
      const name = tag.replace(/^wx-/, "");
      const compRel = comps[name];
      if (compRel) {
        // a custom component: its own template, rendered with the node's properties, owns its events
        const compPath = resolveRel(base, compRel);
        const compOwner = componentOwner(compPath);
        const cgen = this.gwx(`${compPath}.wxml`);
        if (!cgen) throw new Error(`no compiled template for component ${compPath}`);
        const sub = cgen(this.parse(JSON.stringify(node.attr)), {}, {});
        const subComps = usingComponents(`${compPath}.wxml`);
        for (const c of sub.children ?? []) walk(c, node, compOwner, subComps, compPath);
        return;
      }
      for (const c of n.children ?? []) walk(c, node, own, comps, base);
    };
    for (const c of raw.children ?? []) walk(c, root, owner, using, wxmlPath.replace(/\.wxml$/, ""));
    return root;
  }
}

function resolveRel(fromFile: string, rel: string): string {
  if (rel.startsWith("/")) return rel.slice(1);
  const parts = fromFile.split("/").slice(0, -1);
  for (const p of rel.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

// ------------------------------------------------------------------ reading the rendered tree

export function textOf(n: VNode | string): string {
  if (typeof n === "string") return n;
  return n.children.map(textOf).join("");
}

export function elements(n: VNode, out: VNode[] = []): VNode[] {
  out.push(n);
  for (const c of n.children) if (typeof c !== "string") elements(c, out);
  return out;
}

export function classes(n: VNode): string[] {
  return String(n.attr.class ?? "").split(/\s+/).filter(Boolean);
}

export function hasClass(n: VNode, c: string): boolean {
  return classes(n).includes(c);
}

/** The nearest ancestor-or-self matching `pred`. */
export function closest(n: VNode | null, pred: (n: VNode) => boolean): VNode | null {
  for (let x = n; x; x = x.parent) if (pred(x)) return x;
  return null;
}

/** dataset of a node as the client builds it (data-foo-bar → fooBar). */
export function datasetOf(n: VNode): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n.attr)) {
    if (k.startsWith("data-")) d[k.slice(5).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return d;
}
