/**
 * `wx.*` as the mini-program sees it inside WeChat, answered by a simulated phone:
 * - the object has a key for every API in miniprogram-api-typings (Taro builds `Taro.*` from
 *   `Object.keys(wx)`), and every call is recorded so its arguments can be type-checked against
 *   those typings (api-types.ts);
 * - network APIs go over real HTTP to the API on loopback (`request` with WeChat's data/header/
 *   dataType rules, `uploadFile` as multipart with the real file behind a temp path), `login` gets a
 *   code from the fake WeChat server, `requestPayment` checks the server's paySign and pays the order
 *   on the fake WeChat Pay, an accepted 订阅消息 is granted on the fake WeChat;
 * - native sheets and dialogs answer as the test set them up (the phone's `user` choices):
 *   camera permission allowed/denied, scan or payment cancelled, subscription refused, a network
 *   failure; `showModal` stays open until the test taps one of its buttons.
 */
import { createVerify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FakeWechat } from "@gradphoto/testkit";

const require = createRequire(import.meta.url);

/** Every wx API name of miniprogram-api-typings' `WechatMiniprogram.Wx`. */
export function wxApiNames(): string[] {
  const dir = path.dirname(require.resolve("miniprogram-api-typings/package.json", { paths: [path.resolve(import.meta.dirname, "../..")] }));
  const src = readFileSync(path.join(dir, "types/wx/lib.wx.api.d.ts"), "utf8");
  const body = src.slice(src.indexOf("    interface Wx {"));
  return [...new Set([...body.matchAll(/^ {8}([a-zA-Z]+)[<(]/gm)].map((m) => m[1]!))];
}

export interface WxCall {
  api: string;
  /** arguments as JSON (functions become "[function]") */
  args: unknown[];
}

type Opts = Record<string, unknown> & { success?: (r: unknown) => void; fail?: (e: unknown) => void; complete?: (r: unknown) => void };

export interface Dialog {
  title: string;
  content: string;
  confirmText: string;
  cancelText: string | null;
  answer(confirm: boolean): void;
}

/** What the person holding the phone does when WeChat asks (set before the tap that asks). */
export interface UserChoices {
  /** the camera permission dialog (wx.authorize scope.camera) */
  camera: "allow" | "deny";
  /** in the settings page opened by wx.openSetting: switch the camera on or leave it */
  settingsCamera: "on" | "unchanged";
  /** the phone's own permission for WeChat to use the camera (iOS/Android settings) */
  systemCamera: "authorized" | "denied";
  /** in the phone's settings opened by wx.openAppAuthorizeSetting: switch WeChat's camera on or leave it */
  systemSettingsCamera: "on" | "unchanged";
  /** the 订阅消息 dialog */
  subscribe: "accept" | "reject";
  /** the payment sheet */
  payment: "pay" | "cancel";
  /** wx.scanCode: the code's text, or cancel */
  scan: string | "cancel";
  /** chooseMedia / the camera shutter: a real image file, or cancel */
  photo: string | "cancel";
}

export interface WxOptions {
  /** rewrites a request URL (the build's API origin → the test server) */
  rewriteUrl: (url: string) => string;
  fake: FakeWechat;
  /** this phone's WeChat user */
  openid: string;
}

/** Network answers the test can break: the next call of `api` fails with this errMsg. */
export type FailNext = { api: "request" | "uploadFile" | "login"; errMsg: string };

/** APIs that return a task or a value rather than a Promise. */
const NO_PROMISE = /^(request|uploadFile|downloadFile|connectSocket|create.*|get.*Manager|.*Sync|on[A-Z].*|off[A-Z].*|nextTick|canIUse)$/;

export class WxDevice {
  readonly calls: WxCall[] = [];
  readonly toasts: string[] = [];
  readonly phoneCalls: string[] = [];
  readonly storage = new Map<string, unknown>();
  readonly authSetting: Record<string, boolean> = {};
  readonly user: UserChoices = { camera: "allow", settingsCamera: "on", systemCamera: "authorized", systemSettingsCamera: "on", subscribe: "accept", payment: "pay", scan: "cancel", photo: "cancel" };
  /** a native dialog on screen (showModal), answered by tapping its buttons */
  dialog: Dialog | null = null;
  /** true while a tap's handlers run: WeChat lets some APIs run only from a tap */
  inTap = false;
  /** requests in flight, so the phone can wait until the app is idle */
  inFlight = 0;
  readonly errors: unknown[] = [];
  private readonly failures: FailNext[] = [];
  private readonly tempFiles = new Map<string, string>();
  private tempSeq = 0;
  /** called by wx.nextTick, navigation, … (set by the runtime) */
  nav!: {
    navigateTo(url: string): string | null;
    redirectTo(url: string): string | null;
    reLaunch(url: string): string | null;
    navigateBack(delta: number): string | null;
    pageIds(): string[];
  };
  /** wx.createSelectorQuery (set by the runtime, which knows the screen) */
  selectorQuery!: () => unknown;

  constructor(private readonly o: WxOptions) {}

  failNext(f: FailNext): void {
    this.failures.push(f);
  }

  private takeFailure(api: string): string | null {
    const i = this.failures.findIndex((f) => f.api === api);
    if (i < 0) return null;
    return this.failures.splice(i, 1)[0]!.errMsg;
  }

  /** A temp path for a real file, as WeChat hands out for picked or taken images. */
  tempPath(file: string): string {
    const p = `wxfile://tmp_${(++this.tempSeq).toString().padStart(4, "0")}${path.extname(file) || ".jpg"}`;
    this.tempFiles.set(p, file);
    return p;
  }

  private record(api: string, args: unknown[]): void {
    this.calls.push({ api, args: JSON.parse(JSON.stringify(args, (_k, v: unknown) => (typeof v === "function" ? "[function]" : v))) as unknown[] });
  }

  /** Calls back as WeChat does: asynchronously, success or fail, then complete. */
  private answer(api: string, o: Opts | undefined, result: { ok: true; res: Record<string, unknown> } | { ok: false; errMsg: string; extra?: Record<string, unknown> }): void {
    setTimeout(() => {
      try {
        if (result.ok) {
          const res = { errMsg: `${api}:ok`, ...result.res };
          o?.success?.(res);
          o?.complete?.(res);
        } else {
          const err = { errMsg: `${api}:fail ${result.errMsg}`, ...result.extra };
          o?.fail?.(err);
          o?.complete?.(err);
        }
      } catch (e) {
        this.errors.push(e);
      }
    }, 0);
  }

  private async track<T>(p: Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await p;
    } finally {
      this.inFlight--;
    }
  }

  /** The wx object for the mini-program's context. */
  build(): Record<string, unknown> {
    const d = this;
    const o = this.o;
    const sysInfo = { brand: "devtools", model: "iPhone 13", platform: "ios", system: "iOS 17.0", pixelRatio: 3, screenWidth: 375, screenHeight: 812, windowWidth: 375, windowHeight: 812, statusBarHeight: 44, language: "zh_CN", version: "8.0.50", SDKVersion: "3.5.0", fontSizeSetting: 16, safeArea: { top: 44, left: 0, right: 375, bottom: 778, width: 375, height: 734 } };
    const own: Record<string, (...a: any[]) => unknown> = {
      getSystemInfoSync: () => ({ ...sysInfo }),
      getSystemInfo: (x: Opts) => d.answer("getSystemInfo", x, { ok: true, res: { ...sysInfo } }),
      getWindowInfo: () => ({ pixelRatio: 3, screenWidth: 375, screenHeight: 812, windowWidth: 375, windowHeight: 812, statusBarHeight: 44, screenTop: 0, safeArea: sysInfo.safeArea }),
      getAppBaseInfo: () => ({ SDKVersion: "3.5.0", language: "zh_CN", version: "8.0.50", enableDebug: false, host: { env: "WeChat" }, theme: "light" }),
      getDeviceInfo: () => ({ abi: "", benchmarkLevel: 1, brand: "devtools", model: "iPhone 13", platform: "ios", system: "iOS 17.0", cpuType: "", memorySize: "4096" }),
      getMenuButtonBoundingClientRect: () => ({ top: 48, bottom: 80, left: 281, right: 368, width: 87, height: 32 }),
      getLaunchOptionsSync: () => ({ path: "pages/index/index", query: {}, scene: 1001, referrerInfo: {} }),
      getEnterOptionsSync: () => ({ path: "pages/index/index", query: {}, scene: 1001, referrerInfo: {} }),
      canIUse: () => true,
      getStorageSync: (k: string) => (d.storage.has(k) ? structuredClone(d.storage.get(k)) : ""),
      setStorageSync: (k: string, v: unknown) => void d.storage.set(k, structuredClone(v)),
      removeStorageSync: (k: string) => void d.storage.delete(k),
      nextTick: (fn: () => void) => void Promise.resolve().then(fn),
      onAppRoute: () => undefined,
      onAppRouteDone: () => undefined,
      reportAnalytics: () => undefined,

      login(x: Opts) {
        const fail = d.takeFailure("login");
        if (fail) return d.answer("login", x, { ok: false, errMsg: fail });
        const { code } = o.fake.miniProgram.issueLoginCode({ openid: o.openid });
        d.answer("login", x, { ok: true, res: { code } });
      },

      request(x: Opts & { url: string; method?: string; header?: Record<string, string>; data?: unknown; dataType?: string; responseType?: string }) {
        const fail = d.takeFailure("request");
        if (fail) {
          d.answer("request", x, { ok: false, errMsg: fail, extra: { errno: 5 } });
          return { abort: () => undefined };
        }
        const method = (x.method ?? "GET").toUpperCase();
        let url = o.rewriteUrl(x.url);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(x.header ?? {})) headers[k.toLowerCase()] = String(v);
        headers["content-type"] ??= "application/json";
        headers.referer = "https://servicewechat.com/touristappid/devtools/page-frame.html";
        let body: string | undefined;
        if (method === "GET") {
          // WeChat serialises object data into the query string of a GET
          if (x.data && typeof x.data === "object") {
            const q = Object.entries(x.data as Record<string, unknown>).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
            if (q) url += (url.includes("?") ? "&" : "?") + q;
          }
        } else if (x.data !== undefined) {
          body = typeof x.data === "string" ? x.data : headers["content-type"].includes("json") ? JSON.stringify(x.data) : new URLSearchParams(x.data as Record<string, string>).toString();
        }
        void d.track(
          fetch(url, { method, headers, body }).then(
            async (r) => {
              const text = await r.text();
              let data: unknown = text;
              if ((x.dataType ?? "json") === "json") {
                try {
                  data = JSON.parse(text);
                } catch {
                  /* WeChat hands over the string when it is not JSON */
                }
              }
              d.answer("request", x, { ok: true, res: { statusCode: r.status, data, header: Object.fromEntries(r.headers), cookies: [] } });
            },
            (e: unknown) => d.answer("request", x, { ok: false, errMsg: String(e) }),
          ),
        );
        return { abort: () => undefined, onHeadersReceived: () => undefined, offHeadersReceived: () => undefined, onChunkReceived: () => undefined, offChunkReceived: () => undefined };
      },

      uploadFile(x: Opts & { url: string; filePath: string; name: string; header?: Record<string, string>; formData?: Record<string, unknown> }) {
        const fail = d.takeFailure("uploadFile");
        const real = d.tempFiles.get(x.filePath);
        if (fail || !real || !existsSync(real)) {
          d.answer("uploadFile", x, { ok: false, errMsg: fail ?? `file not found: ${x.filePath}` });
          return { abort: () => undefined, onProgressUpdate: () => undefined };
        }
        const form = new FormData();
        for (const [k, v] of Object.entries(x.formData ?? {})) form.append(k, String(v));
        const bytes = readFileSync(real);
        const type = /\.png$/i.test(real) ? "image/png" : "image/jpeg";
        form.append(x.name, new Blob([bytes], { type }), path.basename(x.filePath.replace(/^wxfile:\/\//, "")));
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(x.header ?? {})) if (k.toLowerCase() !== "content-type") headers[k] = String(v);
        void d.track(
          fetch(o.rewriteUrl(x.url), { method: "POST", headers, body: form }).then(
            async (r) => d.answer("uploadFile", x, { ok: true, res: { statusCode: r.status, data: await r.text() } }),
            (e: unknown) => d.answer("uploadFile", x, { ok: false, errMsg: String(e) }),
          ),
        );
        return { abort: () => undefined, onProgressUpdate: () => undefined, offProgressUpdate: () => undefined, onHeadersReceived: () => undefined, offHeadersReceived: () => undefined };
      },

      chooseMedia(x: Opts & { sourceType?: string[] }) {
        const p = d.user.photo;
        if (p === "cancel") return d.answer("chooseMedia", x, { ok: false, errMsg: "cancel" });
        const size = readFileSync(p).length;
        d.answer("chooseMedia", x, { ok: true, res: { type: "image", tempFiles: [{ tempFilePath: d.tempPath(p), size, fileType: "image", width: 0, height: 0, duration: 0, thumbTempFilePath: "" }] } });
      },

      createSelectorQuery: () => d.selectorQuery(),
      createCameraContext: () => ({
        takePhoto(x: Opts) {
          d.record("CameraContext.takePhoto", [x]);
          const p = d.user.photo;
          if (p === "cancel") return d.answer("takePhoto", x, { ok: false, errMsg: "camera not ready" });
          d.answer("takePhoto", x, { ok: true, res: { tempImagePath: d.tempPath(p), width: "480", height: "640" } });
        },
        setZoom: () => undefined,
        startRecord: () => undefined,
        stopRecord: () => undefined,
        onCameraFrame: () => ({ start: () => undefined, stop: () => undefined }),
      }),

      scanCode(x: Opts) {
        const s = d.user.scan;
        if (s === "cancel") return d.answer("scanCode", x, { ok: false, errMsg: "cancel" });
        d.answer("scanCode", x, { ok: true, res: { result: s, scanType: "QR_CODE", charSet: "utf-8", path: "", rawData: Buffer.from(s).toString("base64") } });
      },

      getSetting(x: Opts) {
        d.answer("getSetting", x, { ok: true, res: { authSetting: { ...d.authSetting } } });
      },
      authorize(x: Opts & { scope: string }) {
        // WeChat asks once; after a refusal it fails at once until the user changes it in settings
        if (d.authSetting[x.scope] === true) return d.answer("authorize", x, { ok: true, res: {} });
        if (d.authSetting[x.scope] === false) return d.answer("authorize", x, { ok: false, errMsg: "auth deny" });
        const allow = x.scope !== "scope.camera" || d.user.camera === "allow";
        d.authSetting[x.scope] = allow;
        d.answer("authorize", x, allow ? { ok: true, res: {} } : { ok: false, errMsg: "auth deny" });
      },
      openSetting(x: Opts) {
        // since base library 2.3.0 the settings page opens only from a tap
        if (!d.inTap) return d.answer("openSetting", x, { ok: false, errMsg: "can only be invoked by user TAP gesture." });
        if (d.user.settingsCamera === "on" && "scope.camera" in d.authSetting) d.authSetting["scope.camera"] = true;
        d.answer("openSetting", x, { ok: true, res: { authSetting: { ...d.authSetting } } });
      },

      getAppAuthorizeSetting() {
        const camera = d.user.systemCamera;
        return { albumAuthorized: "authorized", bluetoothAuthorized: "authorized", cameraAuthorized: camera, locationAuthorized: "authorized", microphoneAuthorized: "authorized", notificationAuthorized: "authorized", phoneCalendarAuthorized: "authorized" };
      },
      openAppAuthorizeSetting(x: Opts) {
        // the phone's settings page for WeChat; the person switches the camera on there (or not)
        if (d.user.systemSettingsCamera === "on") d.user.systemCamera = "authorized";
        d.answer("openAppAuthorizeSetting", x, { ok: true, res: {} });
      },

      requestSubscribeMessage(x: Opts & { tmplIds: string[] }) {
        // the subscription dialog opens only from a tap (not after an await in its handler)
        if (!d.inTap) return d.answer("requestSubscribeMessage", x, { ok: false, errMsg: "can only be invoked by user TAP gesture.", extra: { errCode: 10003 } });
        if (x.tmplIds.length > 3) return d.answer("requestSubscribeMessage", x, { ok: false, errMsg: "tmplIds length exceeds 3", extra: { errCode: 20003 } });
        const res: Record<string, string> = {};
        for (const id of x.tmplIds) {
          res[id] = d.user.subscribe;
          if (d.user.subscribe === "accept") o.fake.miniProgram.grantSubscription(o.openid, id);
        }
        d.answer("requestSubscribeMessage", x, { ok: true, res });
      },

      requestPayment(x: Opts & { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string }) {
        // WeChat's cashier refuses parameters the merchant did not sign (JSAPI v3: RSA over appId, timeStamp, nonceStr, package)
        const pay = o.fake.pay;
        const message = `${pay.appId}\n${x.timeStamp}\n${x.nonceStr}\n${x.package}\n`;
        const signed = x.signType === "RSA" && createVerify("RSA-SHA256").update(message).verify(pay.merchantPublicKey, String(x.paySign), "base64");
        const order = [...pay.orders.values()].find((ord) => `prepay_id=${ord.prepayId}` === x.package);
        if (!signed || !order) return d.answer("requestPayment", x, { ok: false, errMsg: signed ? "prepay_id not found" : "paySign invalid" });
        if (d.user.payment === "cancel") return d.answer("requestPayment", x, { ok: false, errMsg: "cancel" });
        void d.track(
          pay.payOrder(order.outTradeNo).then(
            () => d.answer("requestPayment", x, { ok: true, res: {} }),
            (e: unknown) => d.answer("requestPayment", x, { ok: false, errMsg: String(e) }),
          ),
        );
      },

      showModal(x: Opts & { title?: string; content?: string; confirmText?: string; cancelText?: string; showCancel?: boolean }) {
        // the client refuses button texts longer than 4 characters
        for (const k of ["confirmText", "cancelText"] as const) {
          if ((x[k] ?? "").length > 4) return d.answer("showModal", x, { ok: false, errMsg: `${k} length should not larger than 4 Chinese characters` });
        }
        d.dialog = {
          title: x.title ?? "",
          content: x.content ?? "",
          confirmText: x.confirmText ?? "确定",
          cancelText: x.showCancel === false ? null : (x.cancelText ?? "取消"),
          answer: (confirm) => {
            d.dialog = null;
            d.answer("showModal", x, { ok: true, res: { confirm, cancel: !confirm } });
          },
        };
      },
      showToast(x: Opts & { title: string }) {
        d.toasts.push(x.title);
        d.answer("showToast", x, { ok: true, res: {} });
      },
      makePhoneCall(x: Opts & { phoneNumber: string }) {
        d.phoneCalls.push(x.phoneNumber);
        d.answer("makePhoneCall", x, { ok: true, res: {} });
      },

      navigateTo: (x: Opts & { url: string }) => navAnswer("navigateTo", x, () => d.nav.navigateTo(x.url)),
      redirectTo: (x: Opts & { url: string }) => navAnswer("redirectTo", x, () => d.nav.redirectTo(x.url)),
      reLaunch: (x: Opts & { url: string }) => navAnswer("reLaunch", x, () => d.nav.reLaunch(x.url)),
      navigateBack: (x: Opts & { delta?: number }) => navAnswer("navigateBack", x, () => d.nav.navigateBack(x?.delta ?? 1)),
    };
    const navAnswer = (api: string, x: Opts, go: () => string | null) => {
      // the client switches pages after the call returns
      setTimeout(() => {
        let err: string | null;
        try {
          err = go();
        } catch (e) {
          d.errors.push(e);
          err = String(e);
        }
        d.answer(api, x, err ? { ok: false, errMsg: err } : { ok: true, res: {} });
      }, 0);
    };

    const invoke = (name: string, args: unknown[]): unknown => {
      const impl = own[name];
      if (impl) return impl(...args);
      // any other API: succeeds (asynchronously, where it takes callbacks)
      const x = args[0];
      if (x && typeof x === "object" && ("success" in x || "fail" in x || "complete" in x)) d.answer(name, x as Opts, { ok: true, res: {} });
      return undefined;
    };
    const wx: Record<string, (...a: unknown[]) => unknown> = {};
    for (const name of wxApiNames()) {
      wx[name] = (...args: unknown[]) => {
        d.record(name, args);
        // WeChat returns a Promise from an async API called without success/fail/complete
        // (not from those that return a task or a value)
        const x0 = args[0];
        if (x0 && typeof x0 === "object" && !Array.isArray(x0) && !NO_PROMISE.test(name) && !("success" in x0 || "fail" in x0 || "complete" in x0)) {
          return new Promise((resolve, reject) => void invoke(name, [{ ...x0, success: resolve, fail: reject }]));
        }
        return invoke(name, args);
      };
    }
    for (const name of ["nextTick", "onAppRoute", "onAppRouteDone", "reportAnalytics", "createCameraContext"]) if (!(name in wx)) wx[name] = own[name]!;
    return wx;
  }
}
