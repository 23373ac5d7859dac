/**
 * The graduate's journeys in the weapp build (dist/weapp) on a simulated WeChat client (phone.ts):
 * WeChat's compiled templates render every screen, taps are delivered and bubbled as the client
 * does, and wx.* answers come from the real API on loopback, the fake WeChat server and Pay, and
 * the choices the test makes for the person holding the phone. Steps are found and checked by the
 * text on screen only. At the end: every recorded wx call is type-checked against
 * miniprogram-api-typings, and the page-stack depth and largest setData payload are measured.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devDemoKey, issueDemoCode, renderCodePng } from "@gradphoto/capture-code";
import { maskIdNumber, maskName } from "@gradphoto/domain";
import { waitFor } from "@gradphoto/testkit";
import { faceBytes, facePath, photoForm, refundOrder, startJourney, submitPhoto, TEMPLATES, toPhotoStep, type Journey } from "../../../api/test/journey-harness.js";
import { pickEarringPhoto, pickJourneyPhotos, pickQualifyingPhotos, type EarringPhoto, type JourneyPhotos } from "../../../api/test/journey-data.js";
import { buildAsync } from "../../scripts/build.mjs";
import { typecheckCalls } from "./api-types.js";
import { Phone } from "./phone.js";
import { elements, hasClass, textOf, ViewLayer, type VNode } from "./view.js";

const dist = path.resolve(import.meta.dirname, "../../dist/weapp");
const tmp = mkdtempSync(path.join(os.tmpdir(), "weapp-journey-"));
let j: Journey;
let photos: JourneyPhotos;
/** Qualifying studio photos of other people than the graduate's: different photos for the 3-failures rule. */
let others: Array<{ file: string; bytes: Buffer }>;
/** a studio portrait (CC BY 4.0) whose earring the check flags as a warning, and the same person's 录取照片 */
let earring: EarringPhoto;
let view: ViewLayer;
const phones: Phone[] = [];
let users = 0;

beforeAll(async () => {
  // CI builds before the tests (scripts/bootstrap.mjs); a local run builds when dist/weapp is stale.
  await buildAsync("weapp", { quiet: true });
  view = new ViewLayer(dist);
  // the fake WeChat Pay completes a refund by itself shortly after it is requested, as WeChat does
  [j, photos, others, earring] = await Promise.all([startJourney({ fakeWechat: { pay: { autoCompleteRefundsAfterMs: 1500 } } }), pickJourneyPhotos(), pickQualifyingPhotos(2), pickEarringPhoto()]);
}, 400_000);

afterAll(() => {
  for (const p of phones) p.close();
});

/** The phone of a graduate set up over the API (`toPhotoStep`), resuming their stored session. */
function returningPhone(campaignId: string, g: { token: string; openid: string; submissionId: string }): Phone {
  return phone(campaignId, { openid: g.openid, session: { token: g.token, openid: null, campaignId, submissionId: g.submissionId } });
}

/** A phone with WeChat open on the campaign's QR code; `session` resumes a graduate set up over the API. */
function phone(campaignId: string, opts: { openid?: string; session?: Record<string, unknown> } = {}): Phone {
  const p = new Phone({
    dist,
    view,
    fake: j.fake,
    openid: opts.openid ?? `o-weapp-${process.pid}-${++users}`,
    // the build talks to its configured API origin; the phone's network reaches the test server there
    rewriteUrl: (u) => u.replace(/^https?:\/\/[^/]+/, j.url),
    query: { campaign: campaignId },
  });
  if (opts.session) p.wx.storage.set("gradphoto.session", opts.session);
  phones.push(p);
  return p;
}

/** The 采集码 image a graduate saved from 学信网, for the album upload. */
async function codePng(entry: { uniqueNumber: string; name: string; idNumber: string }, name: string, school = { code: j.schoolCode, name: "另一所大学" }): Promise<string> {
  const text = issueDemoCode(
    { uniqueNumber: entry.uniqueNumber, maskedName: maskName(entry.name), maskedIdNumber: maskIdNumber(entry.idNumber), schoolCode: school.code, schoolName: school.name, degreeLevel: "本科" },
    devDemoKey(),
  );
  const file = path.join(tmp, `${name}.png`);
  writeFileSync(file, await renderCodePng(text));
  return file;
}

/** Home → 授权登录 → 温馨提示 (read to the end) → 采集码 (`bind` does the scan or upload) → 确认信息 → bound. */
async function throughCode(p: Phone, campaignName: string, entry: { name: string }, bind: () => Promise<void>): Promise<void> {
  p.launch();
  await p.waitForText(campaignName);
  await p.tap("学信网采集码采集");
  await p.onPage("login");
  expect(p.text()).toContain("毕业照片采集 申请获取");
  await p.tap("微信授权登录");
  await p.onPage("notice");
  expect(p.buttons()).toContain("请先阅读至底部 (disabled)");
  await p.scrollToLower("consent-scroll");
  await p.tap("我已阅读并同意");
  await p.onPage("code");
  await bind();
  await p.onPage("code-confirm");
  expect(p.text()).toContain("采集码识别成功");
  expect(p.text()).toContain(maskName(entry.name));
  await p.tap("信息无误，确认绑定");
}

/** 拍摄 with the mini-program camera (or the album) → 拍摄后确认 → 照片质量检测; returns the verdict. */
async function takePhoto(p: Phone, file: string, how: "camera" | "album" = "camera"): Promise<string> {
  await p.onPage("capture");
  p.wx.user.photo = path.isAbsolute(file) ? file : facePath(file);
  if (how === "camera") {
    expect(p.text()).toContain("对准虚线框，保持正面平视");
    await p.tapClass("shutter");
  } else await p.tap(/^(从相册选择|相册)$/);
  await p.tap("使用这张照片，开始检测");
  await p.onPage("check", 90_000);
  return p.textsOf("check-verdict")[0] ?? "";
}

/** A returning graduate at the photo step: 继续采集 → 拍照说明 → 开始拍摄 → the camera-permission page. */
async function toPermission(p: Phone): Promise<void> {
  p.launch();
  await p.tap("继续采集");
  await p.onPage("guide");
  await p.tap("开始拍摄");
  await p.onPage("permission");
}

/** 检测通过 → 标准化 → 确认提交 (订阅消息 answered as given) → 确认录取照片 → 比对结果. */
async function standardizeSubmitCompare(p: Phone, subscribe: "accept" | "reject"): Promise<void> {
  await p.tap("下一步：照片标准化");
  await p.onPage("standardize");
  expect(p.text()).toMatch(/今日剩余 \d 次/);
  await p.tap(/^开始标准化/);
  await p.waitForText("满意，下一步", 90_000);
  expect(p.text()).toContain("480×640 像素");
  await p.tap("满意，下一步");
  await p.onPage("submit");
  expect(p.text()).toContain("提交时将询问是否接收「审核结果」微信通知");
  // nothing is ticked for the graduate: the button waits until each item is ticked by a tap
  expect(p.count("confirm-item", "confirm-on")).toBe(0);
  expect(p.buttons()).toContain("请先逐项确认（0/5） (disabled)");
  // a tap on the disabled button submits nothing and asks for no 订阅消息
  const asked = p.wx.calls.filter((c) => c.api === "requestSubscribeMessage").length;
  const disabled = elements(p.screen()).find((n) => hasClass(n, "btn-disabled") && textOf(n).trim() === "请先逐项确认（0/5）");
  p.tapNode(disabled!);
  await p.settle();
  expect(p.route).toBe("pages/submit/index");
  expect(p.wx.calls.filter((c) => c.api === "requestSubscribeMessage")).toHaveLength(asked);
  const items = ["是本人近期正面免冠照片", "五官清晰，露出眉毛和双耳", "未佩戴耳环、耳钉、项链等饰物，嘴唇自然闭合", "未化妆、未美颜、未做任何修图", "背景为均匀浅蓝色，无其他人或物"];
  for (const [i, item] of items.entries()) {
    expect(p.buttons()).toContain(`请先逐项确认（${i}/5） (disabled)`);
    await p.tap(item);
    await p.waitFor(() => p.count("confirm-item", "confirm-on") === i + 1, `${item} ticked`);
  }
  expect(p.buttons()).not.toContain("请先逐项确认（5/5） (disabled)");
  p.wx.user.subscribe = subscribe;
  await p.tap("确认提交");
  await p.onPage("admission");
  expect(p.text()).toContain("你的录取照片");
  await p.tap("是本人，开始比对");
  await p.onPage("compare", 90_000);
}

/** 支付成功 (after WeChat's payment sheet): the amount paid, then on to the photo guide. */
async function throughPaySuccess(p: Phone): Promise<void> {
  await p.onPage("pay-success", 30_000);
  expect(p.textsOf("status-title")).toEqual(["支付成功"]);
  expect(p.text()).toContain("已支付 ¥20.00，现在可以拍摄照片了。");
  // and never, not even for one render before the order arrived, the amount-less fallback
  expect(p.setData.filter((s) => s.route === "pages/pay-success/index" && s.json.includes("支付已确认"))).toEqual([]);
  await p.tap("下一步：拍照说明");
  await p.onPage("guide");
}

/** The graduate's session as the app saved it in wx storage. */
function saved(p: Phone): { token: string; submissionId: string } {
  return p.wx.storage.get("gradphoto.session") as { token: string; submissionId: string };
}

/** A node's inline style as WeChat receives it ("left:-12.5px;width:96px;…"): the px values by property. */
function pxStyle(n: VNode): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const decl of String(n.attr.style ?? "").split(";")) {
    const m = /^\s*([a-z-]+)\s*:\s*(-?[\d.]+(?:e-?\d+)?)px\s*$/i.exec(decl);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Nothing thrown in the mini-program, nothing logged as an error, no setData value WeChat would drop. */
function expectHealthy(p: Phone): void {
  expect(p.errors).toEqual([]);
  expect(p.consoleErrors.filter((e) => e.startsWith("error:"))).toEqual([]);
  expect(p.undefinedData).toEqual([]);
  if (p.consoleErrors.length) console.info(`weapp console warnings:\n${p.consoleErrors.join("\n")}`);
}

describe("the graduate's journeys in the weapp build, on WeChat's templates and a simulated client", () => {
  it("happy path: 扫码 → 支付 → 支付成功 → 授权摄像头 → 拍摄 → 检测 → 标准化 → 逐项确认 → 提交 (订阅消息 accepted) → 比对 → 审核通过 with the WeChat notice", async () => {
    const campaignId = await j.campaign();
    const campaign = await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const p = phone(campaignId);
    await throughCode(p, campaign.name, entry, async () => {
      p.wx.user.scan = entry.codeText;
      await p.tap("扫描采集码");
    });

    await p.onPage("pay");
    expect(p.text()).toContain("¥20.00");
    await p.tap("微信支付 ¥20.00");
    await throughPaySuccess(p);
    expect(p.text()).toContain("合格照片示例");
    // the bad examples, each with its drawing (the accessories one came with the no_accessories check)
    expect(p.textsOf("example-label")).toContain("✕ 佩戴耳饰项链");
    const pics = elements(p.screen()).filter((n) => hasClass(n, "example-pic"));
    expect(pics.length).toBe(p.textsOf("example-label").length);
    for (const pic of pics) expect(String(pic.attr.src)).toMatch(/^data:image\/svg\+xml;base64,/);
    await p.tap("开始拍摄");
    await p.onPage("permission");
    expect(p.text()).toContain("「毕业照片采集」申请使用你的摄像头");
    await p.tap("允许使用摄像头");
    expect(await takePhoto(p, photos.graduation)).toBe("照片符合要求");
    await standardizeSubmitCompare(p, "accept");
    expect(p.textsOf("score-verdict")).toEqual(["人像比对通过"]);
    expect(p.textsOf("score-num")[0]).toMatch(/^\d{2,3}\.\d$/); // one decimal
    expect(Number(p.textsOf("score-num")[0])).toBeGreaterThanOrEqual(80);
    expect(p.text()).toContain("照片已提交学校审核");
    expect(p.text()).toContain("审核结果将通过微信通知发送给你，也可以随时在「审核状态」中查看。");
    await p.tap("查看审核状态");
    await p.onPage("status");
    expect(p.textsOf("status-title")).toEqual(["审核中"]);

    // The school approves; the graduate gets the 订阅消息 they accepted, and sees 审核通过.
    const { submissionId } = saved(p);
    const reviewer = await j.staff("REVIEWER");
    const decided = await j.call("POST", `/api/staff/reviews/${submissionId}`, { token: reviewer.token, body: { decision: "APPROVED" } });
    expect(decided.body.state).toBe("APPROVED");
    const sent = await waitFor(() => j.fake.miniProgram.sentMessages.find((m) => m.toUser === p.openid));
    expect(sent.templateId).toBe(TEMPLATES.reviewPassed);
    await p.pullDownRefresh(); // WeChat's pull-down gesture on the status page
    await p.waitFor(() => p.textsOf("status-title")[0] === "审核通过", "审核通过");
    expect(p.text()).toContain("你已完成毕业照片线上采集");

    const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId } });
    expect(order.status).toBe("PAID");
    expect(p.wx.calls.filter((c) => c.api === "requestPayment")).toHaveLength(1);
    expect(p.wx.calls.some((c) => c.api === "uploadFile")).toBe(true);
    // the shot is not mirrored (WeChat mirrors front-camera photos unless told not to)
    const shots = p.wx.calls.filter((c) => c.api === "CameraContext.takePhoto");
    expect(shots.length).toBeGreaterThan(0);
    for (const c of shots) expect(c.args[0]).toMatchObject({ selfieMirror: false });
    expectHealthy(p);
  }, 300_000);

  it("weapp only: scan cancelled, a network failure, payment cancelled then paid, camera refused then allowed in 设置", async () => {
    const campaignId = await j.campaign();
    const campaign = await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const p = phone(campaignId);
    await throughCode(p, campaign.name, entry, async () => {
      // the graduate closes the scanner: nothing happens, no error
      p.wx.user.scan = "cancel";
      await p.tap("扫描采集码");
      await p.settle();
      expect(p.route).toBe("pages/code/index");
      expect(p.text()).not.toContain("采集码未通过");
      // the network drops on the next try: the page says so and stays
      p.wx.failNext({ api: "request", errMsg: "timeout" });
      p.wx.user.scan = entry.codeText;
      await p.tap("扫描采集码");
      await p.waitForText("网络连接失败，请检查网络后重试");
      expect(p.route).toBe("pages/code/index");
      await p.tap("扫描采集码");
    });

    await p.onPage("pay");
    p.wx.user.payment = "cancel";
    await p.tap("微信支付 ¥20.00");
    await p.waitForText("支付已取消");
    expect(p.text()).toContain("订单 30 分钟内有效，不会重复扣费");
    p.wx.user.payment = "pay";
    await p.tap("微信支付 ¥20.00");
    await throughPaySuccess(p);
    const { submissionId } = saved(p);
    expect(await j.deps.db.order.count({ where: { submissionId, status: "PAID" } })).toBe(1);

    await p.tap("开始拍摄");
    await p.onPage("permission");
    p.wx.user.camera = "deny";
    await p.tap("允许使用摄像头");
    await p.waitForText("你已拒绝使用摄像头");
    expect(p.buttons()).toEqual(expect.arrayContaining(["去设置开启摄像头", "改为从相册选择证件照"]));
    p.wx.user.settingsCamera = "on";
    await p.tap("去设置开启摄像头");
    await p.onPage("capture");
    expect(p.text()).toContain("对准虚线框，保持正面平视");
    expect(p.wx.authSetting["scope.camera"]).toBe(true);
    // the <camera> fails to start (e.g. the system camera permission of WeChat is off): album fallback
    p.fireOn((n) => n.tag === "wx-camera", "error", { errMsg: "insertCamera:fail system permission denied" });
    await p.waitForText("无法打开摄像头");
    expect(p.buttons()).toContain("从相册选择");
    expectHealthy(p);
  }, 180_000);

  it("a 采集码 of another school, a photo that breaks a rule, then a retake (school-paid: no payment)", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const campaign = await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const p = phone(campaignId);
    const school = await j.deps.db.school.findUniqueOrThrow({ where: { id: j.schoolId } });
    await throughCode(p, campaign.name, entry, async () => {
      // uploaded from the album: first the 采集码 of another school (学籍异动), then the right one
      p.wx.user.photo = await codePng(entry, "other-school", { code: "10001", name: "另一所大学" });
      await p.tap("上传采集码图片");
      await p.waitForText("请联系学籍部门更新学信网信息后重新下载");
      expect(p.text()).toContain("学校名称（院校代码）不一致");
      p.wx.user.photo = await codePng(entry, "right-school", { code: j.schoolCode, name: school.name });
      await p.tap("上传采集码图片");
    });
    await p.onPage("guide"); // no payment step
    await p.tap("开始拍摄");
    await p.onPage("permission");
    await p.tap("允许使用摄像头");
    expect(await takePhoto(p, photos.groupPhoto)).toBe("照片不符合要求");
    const reasons = p.textsOf("fail-msg");
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.join("")).toMatch(/[\u4e00-\u9fa5]/);
    expect(p.text()).toContain("不合格的照片可免费、不限次数重拍");
    await p.tap("重新拍摄（免费）");
    // the camera permission is remembered: straight to the camera
    expect(await takePhoto(p, photos.graduation)).toBe("照片符合要求");
    expectHealthy(p);
  }, 240_000);

  it("the phone's own settings deny WeChat the camera: the permission page says so and opens the phone's settings, instead of a camera that cannot start", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
    const p = returningPhone(campaignId, g);
    p.wx.user.systemCamera = "denied";
    await toPermission(p);
    await p.tap("允许使用摄像头"); // WeChat's own permission: granted
    await p.waitForText("手机未允许微信使用摄像头");
    expect(p.buttons()).toEqual(expect.arrayContaining(["去手机设置开启", "改为从相册选择证件照"]));
    p.wx.user.systemSettingsCamera = "on";
    await p.tap("去手机设置开启");
    await p.onPage("capture");
    expect(p.wx.calls.some((c) => c.api === "openAppAuthorizeSetting")).toBe(true);
    expectHealthy(p);
  }, 120_000);

  it("a 温馨提示 published while the graduate is taking the photo: the upload leads to the new notice, and after agreeing the graduate goes on", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const g = await toPhotoStep(j, campaignId, await j.rosterEntry(campaignId, null));
    const p = returningPhone(campaignId, g);
    await toPermission(p);
    await p.tap("允许使用摄像头");
    await p.onPage("capture");
    // meanwhile the school publishes a new version
    const admin = await j.staff("SCHOOL_ADMIN");
    const published = await j.call("POST", `/api/staff/campaigns/${campaignId}/consent-texts`, { token: admin.token, body: { text: "温馨提示（修订）：请使用本人近期正面免冠彩色照片，照片仅用于学历学位注册。" } });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    p.wx.user.photo = facePath(photos.graduation);
    await p.tapClass("shutter");
    await p.tap("使用这张照片，开始检测");
    // not a dead end with 409 on every step: the new notice, then on
    await p.onPage("notice");
    await p.waitForText("温馨提示已更新");
    await p.scrollToLower("consent-scroll");
    await p.tap("我已阅读并同意");
    await p.onPage("guide");
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PAID", consentCurrent: true });
    expectHealthy(p);
  }, 300_000);

  it("a suspected earring: 建议改进 with the graduate's own photo enlarged around it and circled; the graduate continues (a warning) to 审核中", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, earring.admission.bytes);
    const g = await toPhotoStep(j, campaignId, entry);
    const p = returningPhone(campaignId, g);
    await toPermission(p);
    await p.tap("允许使用摄像头");
    // a warning does not fail the photo
    expect(await takePhoto(p, earring.file)).toBe("照片符合要求");
    expect(p.text()).toContain("有 1 项建议改进，可继续");
    const card = elements(p.screen()).find((n) => hasClass(n, "fail-card"))!;
    expect(textOf(card)).toContain("建议改进");
    expect(textOf(card)).not.toContain("必须修改");
    expect(p.textsOf("fail-msg")).toEqual([expect.stringMatching(/耳部疑似佩戴耳饰/)]);

    // in place of the drawing: the photo taken, enlarged around the spot the check found, ringed and labelled
    expect(p.count("fail-art")).toBe(0);
    const zooms = elements(p.screen()).filter((n) => hasClass(n, "mark-zoom"));
    expect(zooms).toHaveLength(1);
    const zoom = zooms[0]!;
    expect(p.textsOf("mark-label")).toEqual(["疑似耳饰"]);
    const box = pxStyle(zoom);
    expect(box.width).toBe(box.height);
    const img = elements(zoom).find((n) => n.tag === "wx-image")!;
    const ring = elements(zoom).find((n) => hasClass(n, "mark-ring"))!;
    expect(String(img.attr.src)).toMatch(/^https?:\/\//); // the graduate's own upload, not a drawing
    const s = pxStyle(img);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(["left", "top", "width", "height"]));
    for (const v of [s.left, s.top, s.width, s.height, pxStyle(ring).width]) expect(Number.isFinite(v)).toBe(true);
    // the image keeps its proportions and covers the whole window (no blank corner)
    expect(s.height! / s.width!).toBeCloseTo(earring.height / earring.width, 2);
    expect(s.left).toBeLessThanOrEqual(0);
    expect(s.top).toBeLessThanOrEqual(0);
    expect(s.left! + s.width!).toBeGreaterThanOrEqual(box.width!);
    expect(s.top! + s.height!).toBeGreaterThanOrEqual(box.height!);
    // the window's centre, taken back into the source photo, is the check's spot (within a source pixel);
    // the ring there (centred by its class) has the spot's radius at this scale
    const k = s.width! / earring.width; // displayed px per source px
    expect(Math.abs((box.width! / 2 - s.left!) / k - earring.spot.x)).toBeLessThan(1);
    expect(Math.abs((box.height! / 2 - s.top!) / k - earring.spot.y)).toBeLessThan(1);
    expect(pxStyle(ring).width).toBeCloseTo(2 * earring.spot.r * k, 0);
    // the zoom shows the spot enlarged: the window spans 5 ring radii of the photo
    expect(box.width! / k).toBeCloseTo(5 * earring.spot.r, -1);

    // the graduate may go on: standardise, submit, compare, 审核中
    await standardizeSubmitCompare(p, "accept");
    expect(p.textsOf("score-verdict")).toEqual(["人像比对通过"]);
    await p.tap("查看审核状态");
    await p.onPage("status");
    expect(p.textsOf("status-title")).toEqual(["审核中"]);
    expectHealthy(p);
  }, 300_000);

  it("the daily standardisation quota: used up, the button waits with a live countdown", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    // three photos standardised today (one run per photo), over the API
    for (let i = 0; i < 3; i++) {
      const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
      const st = await j.call("POST", `/api/submissions/${g.submissionId}/photos/${up.body.photo.id}/standardize`, { token: g.token });
      expect(st.status).toBe(200);
    }
    const p = returningPhone(campaignId, g);
    p.launch();
    await p.tap("继续采集");
    await p.onPage("submit"); // resumes where the graduate left off
    await p.tap("重新拍摄");
    expect(await takePhoto(p, photos.graduation)).toBe("照片符合要求");
    await p.tap("下一步：照片标准化");
    await p.onPage("standardize");
    const t1 = (await p.waitFor(() => p.textsOf("cooldown-timer")[0], "the countdown"))!;
    expect(t1).toMatch(/^2[34]:[0-5]\d:[0-5]\d$/);
    expect(p.buttons().some((b) => /后可再次制作 \(disabled\)$/.test(b))).toBe(true);
    expect(p.text()).toContain("今日标准化次数已用完");
    await p.waitFor(() => p.textsOf("cooldown-timer")[0] !== t1, "the countdown to tick", 3000);
    expectHealthy(p);
  }, 240_000);

  it("three DIFFERENT photos fail the comparison (the same photo again does not count), customer service (订阅消息 refused), then 客服人工核验通过", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.stranger); // the 录取照片 is someone else
    const g = await toPhotoStep(j, campaignId, entry);
    for (const o of others) {
      await submitPhoto(j, g.token, g.submissionId, o.bytes);
      const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(cmp.body.comparison).toMatchObject({ passed: false, qualifying: true });
    }
    // three standardisations a day: the two above happened "yesterday"
    await j.deps.db.standardisationAttempt.updateMany({ where: { submissionId: g.submissionId }, data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) } });
    const p = returningPhone(campaignId, g);
    const retakeWith = async (file: string, camera: "ask" | "remembered") => {
      await p.tap("更换照片，重新拍摄");
      await p.onPage("guide");
      expect(p.text()).toContain("请更换其他照片");
      await p.tap("开始拍摄");
      if (camera === "ask") {
        await p.onPage("permission");
        await p.tap("允许使用摄像头");
      } // else: the camera permission is remembered, straight to the camera
      expect(await takePhoto(p, file)).toBe("照片符合要求");
    };
    p.launch();
    await p.tap("继续采集");
    await p.onPage("compare");
    expect(p.count("fail-dot", "on")).toBe(2);
    expect(p.text()).toContain("已有 2 张不同的合格照片比对未通过");
    expect(p.text()).toContain("同一张照片重复上传只计一次");

    // the second photo again: it is not a different photo, the count stays at 2
    await retakeWith(others[1]!.file, "ask");
    await standardizeSubmitCompare(p, "reject");
    expect(p.textsOf("score-verdict")).toEqual(["人像比对未通过"]);
    await p.waitForText("这张照片与之前的照片相同");
    expect(p.count("fail-dot", "on")).toBe(2);
    expect(p.text()).not.toContain("比对均未通过");
    expect(p.buttons()).toEqual(["更换照片，重新拍摄"]);

    // a really different photo: the third different failure
    await retakeWith(photos.graduation, "remembered");
    await standardizeSubmitCompare(p, "reject");
    expect(p.textsOf("score-verdict")).toEqual(["人像比对未通过"]);
    expect(p.textsOf("score-num")[0]).toMatch(/^\d{1,2}\.\d$/); // one decimal, below the threshold
    await p.waitForText("已更换 3 张合格照片，比对均未通过");
    expect(p.text()).toContain("联系客服人工处理");
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "NEEDS_MANUAL_PASS", qualifyingFailures: 3 });
    // refused: WeChat granted nothing, and the API recorded the refusal
    expect(j.fake.miniProgram.subscriptionsLeft(g.openid, TEMPLATES.reviewPassed)).toBe(0);
    const subscribe = p.wx.calls.find((c) => c.api === "requestSubscribeMessage");
    expect(subscribe?.args[0]).toMatchObject({ tmplIds: [TEMPLATES.reviewPassed, TEMPLATES.reviewRejected] });
    await p.tap("拨打客服电话 400-123-4567");
    await p.waitFor(() => p.wx.phoneCalls.length > 0, "the phone call");
    expect(p.wx.phoneCalls).toEqual(["4001234567"]);
    await p.tap("联系客服");
    await p.onPage("contact");
    expect(p.textsOf("contact-big")).toEqual(["400-123-4567"]);

    // customer service passes by hand: reopened, the graduate reads that, not a failing score
    const cs = await j.staff("CUSTOMER_SERVICE");
    const pass = await j.call("POST", `/api/staff/submissions/${g.submissionId}/manual-pass`, { token: cs.token, body: { reason: "毕业生到校出示身份证，经核对为本人" } });
    expect(pass.status).toBe(200);
    expectHealthy(p);
    p.close();
    const again = phone(campaignId, { openid: g.openid, session: p.wx.storage.get("gradphoto.session") as Record<string, unknown> });
    again.launch();
    await again.tap("继续采集");
    await again.onPage("status");
    expect(again.textsOf("status-title")).toEqual(["审核中"]);
    expect(again.text()).toContain("客服已人工核验你的身份");
    expect(again.text()).toContain("客服人工核验通过");
    expect(again.text()).not.toMatch(/分 · 未通过/);
    // no 订阅消息 granted: no promise of a WeChat notice
    expect(again.text()).not.toContain("审核结果将通过微信通知发送给你");
    expect(again.text()).toContain("请稍后回到本页查看审核结果");
    expectHealthy(again);
  }, 400_000);

  it("审核未通过 with the reason, then a free retake back to 审核中", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.body.submission.state).toBe("REVIEWING");
    const reviewer = await j.staff("REVIEWER");
    await j.call("POST", `/api/staff/reviews/${g.submissionId}`, { token: reviewer.token, body: { decision: "REJECTED", reason: "照片模糊或光线不均" } });

    const p = returningPhone(campaignId, g);
    p.launch();
    await p.waitForText("当前进度：审核未通过");
    await p.tap("继续采集");
    await p.onPage("status");
    expect(p.textsOf("reason")).toEqual(["照片模糊或光线不均"]);
    await p.tap("免费重拍（剩余 2 次）");
    await p.onPage("guide");
    const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
    expect(view.body).toMatchObject({ state: "PAID", freeRetakesLeft: 1 });
    await p.tap("从相册选择证件照");
    expect(await takePhoto(p, photos.graduation, "album")).toBe("照片符合要求");
    await standardizeSubmitCompare(p, "reject");
    expect(p.textsOf("score-verdict")).toEqual(["人像比对通过"]);
    // the 订阅消息 refused: the graduate is told to look for the result themselves
    expect(p.text()).toContain("你没有订阅审核结果通知，请随时在「审核状态」中查看审核结果。");
    expect(p.text()).not.toContain("审核结果将通过微信通知发送给你");
    await p.tap("查看审核状态");
    await p.onPage("status");
    expect(p.textsOf("status-title")).toEqual(["审核中"]);
    expect(p.text()).toContain("请稍后回到本页查看审核结果");
    expectHealthy(p);
  }, 300_000);

  it("录取照片有误或缺失: WeChat's confirm dialog, the comparison stops, the graduate is sent to the 学籍部门", async () => {
    const campaignId = await j.campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const p = returningPhone(campaignId, g);
    p.launch();
    await p.tap("继续采集");
    await p.onPage("admission");
    await p.tap("录取照片有误或缺失");
    await p.waitFor(() => p.wx.dialog, "the confirm dialog");
    expect(p.text()).toContain("确认后将暂停人像比对");
    await p.tap("确认反馈");
    await p.onPage("status");
    expect(p.textsOf("status-title")).toEqual(["录取照片核实中"]);
    expect(p.text()).toContain("学籍科 022-0000000");
    expect((await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: entry.entryId } })).admissionPhotoStatus).toBe("DISPUTED");
    expect(await j.deps.db.comparison.count({ where: { submissionId: g.submissionId } })).toBe(0);
    expectHealthy(p);
  }, 180_000);

  it("a refund: 已退款 on the home page and the pay page, and no second payment", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    expect((await refundOrder(j, g.submissionId, "毕业生已参加现场补拍")).status).toBe("PROCESSING");
    // the fake WeChat Pay completes the refund by itself and notifies the API
    await waitFor(async () => (await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.payment?.status === "REFUNDED", { timeoutMs: 20_000 });

    const p = returningPhone(campaignId, g);
    p.launch();
    await p.waitForText("当前进度：已退款");
    expect(p.text()).toContain("采集费用已原路退回，本次采集已结束");
    await p.tap("继续采集");
    await p.onPage("pay");
    expect(p.text()).toContain("已退款，不能再次支付");
    expect(p.text()).toMatch(/退款状态\s*已退款/);
    expect(p.text()).toMatch(/退款金额\s*¥20\.00/);
    expect(p.text()).toContain("毕业生已参加现场补拍");
    // nothing to pay with: only customer service
    expect(p.buttons().length).toBeGreaterThan(0);
    expect([...new Set(p.buttons())]).toEqual(["联系客服"]);
    await p.tap("联系客服");
    await p.onPage("contact");
    expect(p.wx.calls.filter((c) => c.api === "requestPayment")).toHaveLength(0);
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId } })).toBe(1);
    expectHealthy(p);
  }, 180_000);

  it("before paying: a free quality check of album photos from the pay page (nothing kept, still unpaid)", async () => {
    const campaignId = await j.campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry, { pay: false });
    const p = returningPhone(campaignId, g);
    p.launch();
    await p.tap("继续采集");
    await p.onPage("pay");
    await p.tap("支付前先免费检测照片");
    await p.onPage("guide");
    expect(p.text()).toContain("支付前免费检测");
    expect(p.buttons()).not.toContain("开始拍摄");
    p.wx.user.photo = facePath(photos.groupPhoto);
    await p.tap("免费检测一张照片");
    await p.waitForText("这张照片不符合要求", 90_000);
    expect(p.text()).toContain("今天还可免费检测 4 次");
    expect(p.text()).toContain("必须修改");
    p.wx.user.photo = facePath(photos.graduation);
    await p.tap("再检测一张照片");
    await p.waitForText("这张照片符合要求", 90_000);
    expect(p.text()).toMatch(/全部 \d+ 项检测通过/);
    expect(p.text()).toContain("今天还可免费检测 3 次");
    expect(p.wx.calls.filter((c) => c.api === "uploadFile")).toHaveLength(2);
    // nothing was kept, and the graduate has still not paid
    expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(0);
    await p.tap("返回支付");
    await p.onPage("pay");
    expect(p.buttons()).toContain("微信支付 ¥20.00");
    expect(await j.deps.db.order.count({ where: { submissionId: g.submissionId, status: "PAID" } })).toBe(0);
    expectHealthy(p);
  }, 240_000);

  it("every wx call the journeys made is accepted by miniprogram-api-typings", () => {
    const calls = phones.flatMap((p) => p.wx.calls);
    expect(calls.length).toBeGreaterThan(0);
    const r = typecheckCalls(calls);
    const apis = [...new Set(calls.map((c) => c.api))].sort();
    console.info(`weapp harness: ${calls.length} wx calls (${r.checked} distinct) type-checked: ${apis.join(", ")}`);
    expect(r.errors).toEqual([]);
    for (const api of ["login", "request", "uploadFile", "scanCode", "chooseMedia", "requestPayment", "requestSubscribeMessage", "authorize", "openSetting", "getSetting", "showModal", "makePhoneCall", "stopPullDownRefresh"]) expect(apis).toContain(api);
  }, 60_000);

  it("opened and rendered every page of app.json", () => {
    const pages = (JSON.parse(readFileSync(path.join(dist, "app.json"), "utf8")) as { pages: string[] }).pages;
    const visited = new Set(phones.flatMap((p) => [...p.visited]));
    expect(pages.filter((r) => !visited.has(r))).toEqual([]);
  });

  it("stays within WeChat's limits: page stack ≤ 10, every setData ≤ 1 MB", () => {
    const depth = Math.max(...phones.map((p) => p.maxStackDepth));
    const largest = phones.map((p) => p.largestSetData()).reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const total = phones.reduce((n, p) => n + p.setData.length, 0);
    console.info(`weapp harness: deepest page stack ${depth}; ${total} setData calls, largest ${largest.bytes} bytes (${(largest.bytes / 1024).toFixed(1)} KiB) on ${largest.route}`);
    expect(depth).toBeLessThanOrEqual(10);
    expect(largest.bytes).toBeLessThanOrEqual(1024 * 1024);
  });
});
