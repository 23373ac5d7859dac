/**
 * End-to-end tests of the H5 build (dist/h5, development mode) in Debian's Chromium at phone size,
 * against the real API (database, job queue, photo and face models) and the fake WeChat server.
 * Every step is screenshotted into test/screenshots; `pnpm contact-sheet` turns them into
 * docs/miniprogram-flow.png.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { devDemoKey, issueDemoCode, renderCodePng } from "@gradphoto/capture-code";
import { maskIdNumber, maskName } from "@gradphoto/domain";
import { faceBytes, facePath, photoForm, refundOrder, startJourney, submitPhoto, TEMPLATES, toPhotoStep, type Journey } from "../../api/test/journey-harness.js";
import { pickEarringPhoto, pickJourneyPhotos, pickQualifyingPhotos, type EarringPhoto, type JourneyPhotos } from "../../api/test/journey-data.js";
import { buildAsync } from "../scripts/build.mjs";
import { button, CHROMIUM, chooseFile, launchChromium, onPage, phone, readConsent, Recorder, serveH5, settle } from "./support/h5.js";
import { waitFor } from "@gradphoto/testkit";

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs Debian's chromium`);

let j: Journey;
let photos: JourneyPhotos;
/** studio portraits of two other people (Face Research Lab London Set, CC BY 4.0): different qualifying photos */
let others: Array<{ file: string; bytes: Buffer }>;
/** a studio portrait (CC BY 4.0) whose earring the check flags as a warning, and the same person's 录取照片 */
let earring: EarringPhoto;
let browser: Browser;
let h5: { url: string; close: () => Promise<void> };
const tmp = mkdtempSync(path.join(os.tmpdir(), "mp-e2e-"));

beforeAll(async () => {
  // CI builds before the tests (scripts/bootstrap.mjs); a local run builds when dist/h5 is stale.
  await buildAsync("h5", { quiet: true });
  h5 = await serveH5();
  // refunds complete by themselves after a delay, as under `npm start`
  [j, photos, browser] = await Promise.all([startJourney({ devRoutes: true, corsOrigins: [h5.url], fakeWechat: { pay: { autoCompleteRefundsAfterMs: 3000 } } }), pickJourneyPhotos(), launchChromium()]);
  others = await pickQualifyingPhotos(2);
  earring = await pickEarringPhoto();
  // Names as a graduate would see them (the screenshots become docs/miniprogram-flow.png).
  await j.deps.db.school.update({ where: { id: j.schoolId }, data: { name: SCHOOL } });
}, 400_000);

const SCHOOL = "示范大学";

/** A campaign of the run's school, named like a real one. */
async function campaign(opts: Parameters<Journey["campaign"]>[0] = {}): Promise<string> {
  const id = await j.campaign(opts);
  await j.deps.db.campaign.update({ where: { id }, data: { name: "2026届本科毕业生学历照片补采" } });
  return id;
}

afterAll(async () => {
  await browser?.close();
  await h5?.close();
});

function appUrl(campaignId: string): string {
  return `${h5.url}/?campaign=${campaignId}&api=${encodeURIComponent(j.url)}`;
}

/** The 采集码 image 学信网 would give this graduate (as the harness issues it, with the school's display name). */
async function codePng(entry: { uniqueNumber: string; name: string; idNumber: string }, name: string, school = { code: j.schoolCode, name: SCHOOL }): Promise<string> {
  const text = issueDemoCode(
    { uniqueNumber: entry.uniqueNumber, maskedName: maskName(entry.name), maskedIdNumber: maskIdNumber(entry.idNumber), schoolCode: school.code, schoolName: school.name, degreeLevel: "本科" },
    devDemoKey(),
  );
  const file = path.join(tmp, `${name}.png`);
  writeFileSync(file, await renderCodePng(text));
  return file;
}

/** Home → 授权登录 → 温馨提示 → 采集码 (uploaded from the album) → 确认信息. */
async function throughCode(page: Page, rec: Recorder | null, campaignId: string, codeFile: string, before?: () => Promise<void>): Promise<void> {
  await page.goto(appUrl(campaignId));
  await button(page, "学信网采集码采集").waitFor();
  await rec?.snap(page, "首页：采集活动、截止时间与费用");
  await button(page, "学信网采集码采集").click();
  await onPage(page, "login");
  await rec?.snap(page, "授权登录（开发环境模拟微信登录）");
  await button(page, "微信授权登录").click();
  await onPage(page, "notice");
  await expect(button(page, "请先阅读至底部").getAttribute("aria-disabled")).resolves.toBe("true");
  await rec?.snap(page, "温馨提示：须滑动到底部");
  await readConsent(page);
  await button(page, "我已阅读并同意").waitFor();
  await rec?.snap(page, "温馨提示：已读到底部，可以同意");
  await button(page, "我已阅读并同意").click();
  await onPage(page, "code");
  await rec?.snap(page, "采集码：上传保存的原图，不要截图");
  await before?.();
  await chooseFile(page, () => button(page, "上传采集码图片").click(), codeFile);
  await onPage(page, "code-confirm");
  await rec?.snap(page, "确认信息：脱敏姓名、证件号、学校");
  await button(page, "信息无误，确认绑定").click();
}

/** 拍摄 → 照片质量检测; returns whether the photo passed. */
async function takePhoto(page: Page, rec: Recorder | null, file: string, captions?: { capture?: string; review?: string; check?: string }): Promise<boolean> {
  await onPage(page, "capture");
  if (captions?.capture) await rec?.snap(page, captions.capture);
  await chooseFile(page, () => page.locator(".taro_page_show .tile").first().click(), file);
  await onPage(page, "capture-review");
  if (captions?.review) await rec?.snap(page, captions.review);
  await button(page, "使用这张照片，开始检测").click();
  await onPage(page, "check", 90_000);
  if (captions?.check) await rec?.snap(page, captions.check);
  return (await page.locator(".taro_page_show .check-verdict").innerText()).includes("符合要求") && !(await page.locator(".taro_page_show .check-verdict.bad").count());
}

/** 照片质量检测 (passed) → 标准化 → 确认提交 (订阅消息) → 确认录取照片 → 比对结果. */
async function standardizeSubmitCompare(page: Page, rec: Recorder | null, opts: { subscribe: "允许" | "拒绝" | null; shots?: boolean; loseSubmitAnswer?: boolean }): Promise<void> {
  const snap = async (c: string) => {
    if (opts.shots) await rec?.snap(page, c);
  };
  await button(page, "下一步：照片标准化").click();
  await onPage(page, "standardize");
  await snap("标准化：前后对比与今日剩余次数");
  await button(page, /开始标准化/).click();
  await button(page, "满意，下一步").waitFor({ timeout: 90_000 });
  await snap("标准化完成：480×640 浅蓝底标准照");
  await button(page, "满意，下一步").click();
  await onPage(page, "submit");
  // nothing is ticked for the graduate: submitting waits until every item is confirmed
  await expect(button(page, /请先逐项确认（0\/5）/).getAttribute("aria-disabled")).resolves.toBe("true");
  await snap("确认提交：逐项确认（未预先勾选）");
  for (let i = 1; i <= 5; i++) await page.locator(`.taro_page_show [data-testid=confirm-${i}]`).click();
  // submitted on the server, the answer lost: the phone opens the next step, not 网络连接失败
  if (opts.loseSubmitAnswer) j.loseNextAnswer(/^POST \/api\/submissions\/[^/]+\/submit$/);
  await button(page, "确认提交").click();
  if (opts.subscribe) {
    const choice = page.getByText(opts.subscribe, { exact: true });
    await choice.waitFor();
    await snap("提交时请求订阅「审核结果」通知");
    await choice.click();
  }
  await onPage(page, "admission");
  await snap("确认录取照片（有误或缺失 → 学籍部门）");
  await button(page, "是本人，开始比对").click();
  await onPage(page, "compare", 90_000);
}

/** The browser of a graduate set up over the API (`toPhotoStep`), resuming their stored session. */
function returningPhone(campaignId: string, g: { token: string; openid: string; submissionId: string }) {
  return phone(browser, { session: { token: g.token, openid: g.openid, campaignId, submissionId: g.submissionId } });
}

describe("the graduate's mini-program (H5 build) in a phone browser", () => {
  it.skipIf(!haveChromium)("happy path: login → 温馨提示 → 采集码 → 支付 → 拍摄 → 检测 → 标准化 → 提交 → 比对 → 审核通过", async () => {
    const rec = new Recorder("a-happy", "完整流程：登录到审核通过");
    const campaignId = await campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const ctx = await phone(browser);
    const page = await ctx.newPage();
    try {
      await throughCode(page, rec, campaignId, await codePng(entry, "happy"));

      await onPage(page, "pay");
      await rec.snap(page, "费用支付：¥20.00 微信支付");
      await button(page, /微信支付/).click();
      await onPage(page, "dev-pay");
      await rec.snap(page, "开发环境模拟支付（明确标注，非微信支付）");
      await button(page, "模拟支付成功").click();
      await onPage(page, "pay-success");
      await expect(page.locator(".taro_page_show .status-title").innerText()).resolves.toBe("支付成功");
      await expect(page.locator(".taro_page_show [data-testid=page-pay-success]").innerText()).resolves.toContain("¥20.00");
      await rec.snap(page, "支付成功：金额、订单号与下一步");
      await button(page, "下一步：拍照说明").click();

      await onPage(page, "guide");
      await rec.snap(page, "拍照说明：合格示例与规则");
      await rec.snap(page, "拍照说明：不合格示例、光线、相册要求", { scrollToBottom: true });
      await button(page, "开始拍摄").click();
      await onPage(page, "permission");
      await rec.snap(page, "摄像头权限说明");
      await button(page, "继续").click();
      const ok = await takePhoto(page, rec, facePath(photos.graduation), { capture: "拍摄：头部轮廓与肩线参考，可请他人拍", review: "拍摄后确认取像范围", check: "照片质量检测：通过" });
      expect(ok).toBe(true);
      await standardizeSubmitCompare(page, rec, { subscribe: "允许", shots: true });
      await expect(page.locator(".taro_page_show .score-verdict").innerText()).resolves.toBe("人像比对通过");
      const score = Number(await page.locator(".taro_page_show .score-num").innerText());
      expect(score).toBeGreaterThanOrEqual(80);
      await rec.snap(page, "比对结果：分数与通过");
      await button(page, "查看审核状态").click();
      await onPage(page, "status");
      await expect(page.locator(".taro_page_show .status-title").innerText()).resolves.toBe("审核中");
      // the graduate accepted the 订阅消息: the notice is promised
      await expect(page.locator(".taro_page_show .status-text").innerText()).resolves.toContain("审核结果将通过微信通知发送给你");
      await rec.snap(page, "状态：审核中");

      // The school approves; the graduate gets the 订阅消息 they accepted and sees 审核通过.
      const session = JSON.parse(await page.evaluate(() => (globalThis as any).localStorage.getItem("gradphoto.session") as string)) as { openid: string; submissionId: string; token: string };
      // The review took longer than the 72-h session: it has expired by the time the graduate looks
      // again, and is renewed without a tap (wx.login; here the development login) instead of 授权登录.
      const user = await j.deps.db.wechatUser.findUniqueOrThrow({ where: { openid: session.openid } });
      expect((await j.deps.db.session.updateMany({ where: { wechatUserId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } })).count).toBeGreaterThan(0);
      const reviewer = await j.staff("REVIEWER");
      await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId } });
      const decided = await j.call("POST", `/api/staff/reviews/${session.submissionId}`, { token: reviewer.token, body: { decision: "APPROVED" } });
      expect(decided.body.state).toBe("APPROVED");
      const sent = await waitFor(() => j.fake.miniProgram.sentMessages.find((m) => m.toUser === session.openid));
      expect(sent.templateId).toBe(TEMPLATES.reviewPassed);
      await button(page, "刷新状态").click();
      await page.locator(".taro_page_show .status-ok").waitFor();
      await expect(page.locator(".taro_page_show .status-title").innerText()).resolves.toBe("审核通过");
      const renewed = JSON.parse(await page.evaluate(() => (globalThis as any).localStorage.getItem("gradphoto.session") as string)) as { token: string };
      expect(renewed.token).not.toBe(session.token);
      await rec.snap(page, "状态：审核通过（已收到微信通知）");

      await page.locator(".taro_page_show .link-small", { hasText: "联系客服" }).click();
      await onPage(page, "contact");
      await rec.snap(page, "联系客服：点击号码拨打");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 300_000);

  it.skipIf(!haveChromium)("a photo that breaks a rule is explained, then retaken; school-paid campaigns skip payment", async () => {
    const rec = new Recorder("b-retake", "照片不合格与重拍（学校统一支付）");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const ctx = await phone(browser);
    const page = await ctx.newPage();
    try {
      // first a 采集码 of another school (学籍异动): the 学籍部门 guidance, then the right one
      const otherSchool = await codePng(entry, "other-school", { code: "10001", name: "另一所大学" });
      await throughCode(page, null, campaignId, await codePng(entry, "retake"), async () => {
        await chooseFile(page, () => button(page, "上传采集码图片").click(), otherSchool);
        await page.locator(".taro_page_show").getByText("请联系学籍部门更新学信网信息后重新下载").waitFor();
        await rec.snap(page, "采集码学校不一致：学籍部门指引");
      });
      await onPage(page, "guide"); // no payment step
      await button(page, "开始拍摄").click();
      await onPage(page, "permission");
      await button(page, "继续").click();
      const bad = await takePhoto(page, rec, facePath(photos.groupPhoto), { check: "照片质量检测：不合格，逐条说明如何修改" });
      expect(bad).toBe(false);
      const reasons = await page.locator(".taro_page_show .fail-msg").allInnerTexts();
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.join("")).toMatch(/[\u4e00-\u9fa5]/);
      await rec.snap(page, "不合格项：示意图（✕ 现在 / ✓ 应该）", { scrollToBottom: true });
      await button(page, "重新拍摄（免费）").click();
      const good = await takePhoto(page, rec, facePath(photos.graduation), { check: "重拍后：照片符合要求" });
      expect(good).toBe(true);
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 240_000);

  it.skipIf(!haveChromium)("a suspected earring is shown on the graduate's own photo, enlarged and circled; a warning, so the graduate continues", async () => {
    const rec = new Recorder("b2-earring", "疑似耳饰：本人照片放大圈出，建议改进可继续");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, earring.admission.bytes);
    const g = await toPhotoStep(j, campaignId, entry);
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "guide");
      await button(page, "开始拍摄").click();
      await onPage(page, "permission");
      await button(page, "继续").click();
      expect(await takePhoto(page, null, earring.file)).toBe(true);
      const shown = page.locator(".taro_page_show");
      await expect(shown.locator(".fail-card").innerText()).resolves.toMatch(/建议改进[\s\S]*耳部疑似佩戴耳饰/);
      const zoom = shown.locator("[data-testid=mark-zoom]");
      await expect(zoom.count()).resolves.toBe(1);
      await expect(zoom.locator(".mark-label").innerText()).resolves.toBe("疑似耳饰");
      const img = zoom.locator("img");
      await img.evaluate((i) => (i as unknown as { decode(): Promise<void> }).decode());
      // where things are on screen: the spot of the photo (source pixels → the enlarged image) lies at
      // the window's centre, and so does the ring, sized to the spot
      // (read in one frame, once the page's slide-in transition has stopped moving it: three separate
      // reads during the slide gave boxes from different frames, 28 px apart)
      const boxes = () =>
        zoom.evaluate((el: unknown) => {
          type Boxed = { getBoundingClientRect(): { x: number; y: number; width: number; height: number } };
          const z = el as Boxed & { querySelector(s: string): Boxed | null };
          const r = (e: Boxed | null) => {
            const b = e!.getBoundingClientRect();
            return { x: b.x, y: b.y, width: b.width, height: b.height };
          };
          return [r(z), r(z.querySelector("img")), r(z.querySelector(".mark-ring"))] as const;
        });
      let [zb, ib, rb] = await boxes();
      for (let i = 0; i < 50; i++) {
        await page.waitForTimeout(50);
        const next = await boxes();
        const still = next[0].x === zb.x && next[0].y === zb.y;
        [zb, ib, rb] = next;
        if (still) break;
      }
      const k = ib.width / earring.width;
      expect(ib.height / ib.width).toBeCloseTo(earring.height / earring.width, 2);
      const centre = { x: zb.x + zb.width / 2, y: zb.y + zb.height / 2 };
      expect(Math.abs(ib.x + earring.spot.x * k - centre.x)).toBeLessThan(1.5);
      expect(Math.abs(ib.y + earring.spot.y * k - centre.y)).toBeLessThan(1.5);
      expect(Math.abs(rb.x + rb.width / 2 - centre.x)).toBeLessThan(1.5);
      expect(Math.abs(rb.y + rb.height / 2 - centre.y)).toBeLessThan(1.5);
      expect(Math.abs(rb.width - 2 * earring.spot.r * k)).toBeLessThan(5);
      // the image covers the window, and inside the ring there is the ear and the stud, not a plain backdrop
      expect(ib.x).toBeLessThanOrEqual(zb.x);
      expect(ib.y).toBeLessThanOrEqual(zb.y);
      expect(ib.x + ib.width).toBeGreaterThanOrEqual(zb.x + zb.width);
      expect(ib.y + ib.height).toBeGreaterThanOrEqual(zb.y + zb.height);
      const inner = rb.width * 0.6;
      const inside = await page.screenshot({ clip: { x: centre.x - inner / 2, y: centre.y - inner / 2, width: inner, height: inner } });
      const spread = (await sharp(inside).greyscale().stats()).channels[0]!.stdev;
      expect(spread, "the ring encloses detail, not a blank area").toBeGreaterThan(15);
      await rec.snap(page, "照片质量检测：疑似耳饰放大圈出，建议改进可继续");

      // a warning: standardise, submit, compare, 审核中
      await standardizeSubmitCompare(page, null, { subscribe: "拒绝" });
      await expect(shown.locator(".score-verdict").innerText()).resolves.toBe("人像比对通过");
      await rec.snap(page, "耳饰仅为建议：标准化、提交、比对通过");
      await button(page, "查看审核状态").click();
      await onPage(page, "status");
      await expect(shown.locator(".status-title").innerText()).resolves.toBe("审核中");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 240_000);

  it.skipIf(!haveChromium)("the daily standardisation quota: used up, the button waits with a live countdown", async () => {
    const rec = new Recorder("c-quota", "标准化次数用完：24 小时倒计时");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    // three photos standardised today (one run per photo), over the API
    for (let i = 0; i < 3; i++) {
      const up = await j.call("POST", `/api/submissions/${g.submissionId}/photos?source=CAMERA`, { token: g.token, form: photoForm(faceBytes(photos.graduation)) });
      const st = await j.call("POST", `/api/submissions/${g.submissionId}/photos/${up.body.photo.id}/standardize`, { token: g.token });
      expect(st.status).toBe(200);
    }
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "submit"); // resumes where the graduate left off
      await button(page, "重新拍摄").click();
      expect(await takePhoto(page, rec, facePath(photos.graduation), { check: "次数用完后仍可免费重拍、检测" })).toBe(true);
      await button(page, "下一步：照片标准化").click();
      await onPage(page, "standardize");
      const timer = page.locator(".taro_page_show .cooldown-timer");
      await timer.waitFor();
      const t1 = await timer.innerText();
      expect(t1).toMatch(/^2[34]:[0-5]\d:[0-5]\d$/);
      await expect(button(page, /后可再次制作/).getAttribute("aria-disabled")).resolves.toBe("true");
      await page.waitForTimeout(1300);
      expect(await timer.innerText()).not.toBe(t1);
      await rec.snap(page, "今日 3 次已用完：倒计时与可再次制作的时间");
      const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
      expect(view.body.quota).toMatchObject({ remainingToday: 0 });
      expect(await page.locator(".taro_page_show .cooldown-desc").first().innerText()).toContain("后再次制作");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 240_000);

  it.skipIf(!haveChromium)("three different photos fail the comparison (a repeated photo does not count), then customer service passes by hand", async () => {
    const rec = new Recorder("d-compare", "比对 3 张不同照片未通过 → 客服人工通过");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.stranger); // the 录取照片 is someone else
    const g = await toPhotoStep(j, campaignId, entry);
    for (const p of others) {
      await submitPhoto(j, g.token, g.submissionId, p.bytes);
      const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(cmp.body.comparison).toMatchObject({ passed: false, qualifying: true });
    }
    // three standardisations a day: the two above happened "yesterday"
    await j.deps.db.standardisationAttempt.updateMany({ where: { submissionId: g.submissionId }, data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) } });
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    const retakeWith = async (file: string) => {
      await button(page, "更换照片，重新拍摄").click();
      await onPage(page, "guide");
      await button(page, "开始拍摄").click();
      await onPage(page, "permission");
      await button(page, "继续").click();
      expect(await takePhoto(page, null, file)).toBe(true);
    };
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "compare");
      await expect(page.locator(".taro_page_show .fail-dot.on").count()).resolves.toBe(2);
      await rec.snap(page, "比对未通过：请更换其他照片（已 2 张）");

      // the second photo again: it is not a different photo
      await retakeWith(others[1]!.file);
      await standardizeSubmitCompare(page, null, { subscribe: "拒绝" });
      await expect(page.locator(".taro_page_show [data-testid=page-compare]").innerText()).resolves.toContain("这张照片与之前的照片相同");
      await expect(page.locator(".taro_page_show .fail-dot.on").count()).resolves.toBe(2);
      await rec.snap(page, "同一张照片再次上传：不计入 3 张不同照片");

      // a fresh page stack (as after reopening the mini-program), then a really different photo
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "compare");
      await retakeWith(facePath(photos.graduation));
      await standardizeSubmitCompare(page, rec, { subscribe: "拒绝" });
      await expect(page.locator(".taro_page_show .score-verdict").innerText()).resolves.toBe("人像比对未通过");
      await page.locator(".taro_page_show .contact-card").waitFor();
      await rec.snap(page, "第 3 张不同照片未通过：联系客服人工处理");
      const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
      expect(view.body).toMatchObject({ state: "NEEDS_MANUAL_PASS", qualifyingFailures: 3 });
      await page.locator(".taro_page_show .contact-card").getByRole("button", { name: "联系客服" }).click();
      await onPage(page, "contact");
      await expect(page.locator(".taro_page_show .contact-big").innerText()).resolves.toBe("400-123-4567");
      await rec.snap(page, "联系客服：电话、服务时间、学籍部门");

      // customer service passes by hand: the graduate reads that, not a failing score
      const cs = await j.staff("CUSTOMER_SERVICE");
      const pass = await j.call("POST", `/api/staff/submissions/${g.submissionId}/manual-pass`, { token: cs.token, body: { reason: "毕业生到校出示身份证，经核对为本人" } });
      expect(pass.status).toBe(200);
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "status");
      const text = await page.locator(".taro_page_show [data-testid=page-status]").innerText();
      expect(text).toContain("客服已人工核验你的身份");
      expect(text).toContain("客服人工核验通过");
      expect(text).not.toMatch(/分 · 未通过/);
      // the graduate refused the 订阅消息: no promise of a WeChat notice
      expect(text).not.toContain("审核结果将通过微信通知发送给你");
      await rec.snap(page, "客服人工通过后：审核中（无矛盾的分数）");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 400_000);

  it.skipIf(!haveChromium)("a refund: 退款中 with amount and reason, then 已退款 by itself, and no second payment", async () => {
    const rec = new Recorder("g-refund", "退款：退款中 → 已退款");
    const campaignId = await campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    // the fake WeChat holds the refund for 3 s before it succeeds and notifies
    expect((await refundOrder(j, g.submissionId, "毕业生已参加现场补拍")).status).toBe("PROCESSING");
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "guide");
      await page.goto(`${h5.url}/pages/status/index?api=${encodeURIComponent(j.url)}`);
      await onPage(page, "status");
      const card = page.locator(".taro_page_show [data-testid=refund-card]");
      await card.waitFor();
      expect(await card.innerText()).toMatch(/退款中[\s\S]*¥20\.00[\s\S]*毕业生已参加现场补拍/);
      await rec.snap(page, "退款中：金额、原因、到账时间说明");
      await waitFor(async () => (await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token })).body.payment?.status === "REFUNDED", { timeoutMs: 20_000 });
      await button(page, "刷新状态").click();
      await page.locator(".taro_page_show .status-title", { hasText: "已退款" }).waitFor();
      expect(await card.innerText()).toContain("已退款");
      expect(await page.locator(".taro_page_show [data-testid=page-status]").innerText()).not.toContain("继续采集");
      await rec.snap(page, "已退款：本次采集已结束");
      await page.goto(appUrl(campaignId));
      await page.locator(".taro_page_show").getByText(/已退款/).first().waitFor();
      await rec.snap(page, "首页：显示已退款");
      await page.goto(`${h5.url}/pages/pay/index?api=${encodeURIComponent(j.url)}`);
      await onPage(page, "pay");
      expect(await button(page, /微信支付/).count()).toBe(0);
      await page.getByText("已退款，不能再次支付").waitFor();
      await rec.snap(page, "支付页：已退款，不能再次支付");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 180_000);

  it.skipIf(!haveChromium)("before paying: a free quality check of a photo on the photo-rules page", async () => {
    const rec = new Recorder("h-precheck", "支付前免费检测照片");
    const campaignId = await campaign();
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry, { pay: false });
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "pay");
      await button(page, "支付前先免费检测照片").click();
      await onPage(page, "guide");
      await rec.snap(page, "拍照说明（支付前）：可免费检测一张照片");
      await chooseFile(page, () => button(page, "免费检测一张照片").click(), facePath(photos.groupPhoto));
      const result = page.locator(".taro_page_show [data-testid=precheck-result]");
      await result.waitFor({ timeout: 90_000 });
      expect(await result.innerText()).toContain("这张照片不符合要求");
      expect(await result.innerText()).toContain("今天还可免费检测 4 次");
      await rec.snap(page, "检测结果：不合格，逐条说明");
      await chooseFile(page, () => button(page, "再检测一张照片").click(), facePath(photos.graduation));
      await result.getByText("这张照片符合要求").waitFor({ timeout: 90_000 });
      expect(await result.innerText()).toMatch(/全部 \d+ 项检测通过/);
      await rec.snap(page, "检测结果：符合要求，可放心支付");
      // nothing was kept, and the graduate has still not paid
      expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(0);
      await button(page, "返回支付").click();
      await onPage(page, "pay");
      await button(page, /微信支付/).waitFor();
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 240_000);

  it.skipIf(!haveChromium)("审核未通过 with the reason, then a free retake back to 审核中 (the retake's, the upload's and the submit's answers lost on the way)", async () => {
    const rec = new Recorder("e-rejected", "审核未通过 → 免费重拍");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
    expect(cmp.body.submission.state).toBe("REVIEWING");
    const reviewer = await j.staff("REVIEWER");
    await j.call("POST", `/api/staff/reviews/${g.submissionId}`, { token: reviewer.token, body: { decision: "REJECTED", reason: "照片模糊或光线不均" } });

    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").waitFor();
      await rec.snap(page, "首页：显示当前进度「审核未通过」");
      await button(page, "继续采集").click();
      await onPage(page, "status");
      await expect(page.locator(".taro_page_show .reason").innerText()).resolves.toBe("照片模糊或光线不均");
      await rec.snap(page, "审核未通过：原因与剩余免费重拍次数");
      // the retake starts on the server but its answer is lost: the phone goes on to the photo
      // rules, and only one free retake is used
      j.loseNextAnswer(/^POST \/api\/submissions\/[^/]+\/retake$/);
      await button(page, "免费重拍（剩余 2 次）").click();
      await onPage(page, "guide");
      const view = await j.call("GET", `/api/submissions/${g.submissionId}`, { token: g.token });
      expect(view.body).toMatchObject({ state: "PAID", freeRetakesLeft: 1 });
      await button(page, "开始拍摄").click();
      await onPage(page, "permission");
      await button(page, "继续").click();
      // the upload is stored and checked, its answer lost: the phone shows the result, and stored it once
      const photosBefore = await j.deps.db.photo.count({ where: { submissionId: g.submissionId } });
      j.loseNextAnswer(/^POST \/api\/submissions\/[^/]+\/photos\?/);
      expect(await takePhoto(page, null, facePath(photos.graduation))).toBe(true);
      expect(await j.deps.db.photo.count({ where: { submissionId: g.submissionId } })).toBe(photosBefore + 1);
      await standardizeSubmitCompare(page, rec, { subscribe: "允许", loseSubmitAnswer: true });
      await button(page, "查看审核状态").click();
      await onPage(page, "status");
      await expect(page.locator(".taro_page_show .status-title").innerText()).resolves.toBe("审核中");
      await rec.snap(page, "重拍提交后：再次审核中");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 300_000);

  it.skipIf(!haveChromium)("录取照片有误或缺失: the comparison stops and the graduate is sent to the 学籍部门", async () => {
    const rec = new Recorder("e2-dispute", "录取照片有误 → 学籍部门");
    const campaignId = await campaign({ schoolPaid: true });
    const entry = await j.rosterEntry(campaignId, photos.admission);
    const g = await toPhotoStep(j, campaignId, entry);
    await submitPhoto(j, g.token, g.submissionId, photos.graduation);
    const ctx = await returningPhone(campaignId, g);
    const page = await ctx.newPage();
    try {
      await page.goto(appUrl(campaignId));
      await button(page, "继续采集").click();
      await onPage(page, "admission");
      await button(page, "录取照片有误或缺失").click();
      await page.getByText("确认反馈", { exact: true }).waitFor();
      await rec.snap(page, "确认反馈「录取照片有误或缺失」");
      await page.getByText("确认反馈", { exact: true }).click();
      await onPage(page, "status");
      await expect(page.locator(".taro_page_show .status-title").innerText()).resolves.toBe("录取照片核实中");
      await expect(page.locator(".taro_page_show .contact-card").first().innerText()).resolves.toContain("学籍科 022-0000000");
      await rec.snap(page, "已暂停比对：联系学籍部门核实");
      expect((await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: entry.entryId } })).admissionPhotoStatus).toBe("DISPUTED");
      expect(await j.deps.db.comparison.count({ where: { submissionId: g.submissionId } })).toBe(0);
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 180_000);

  it.skipIf(!haveChromium)("fits 320–430 px screens and large system fonts; handles a missing campaign", async () => {
    const rec = new Recorder("f-layout", "屏幕宽度与大字体适配");
    const campaignId = await campaign();
    for (const [width, big, caption] of [
      [320, false, "320 px 宽屏幕"],
      [430, false, "430 px 宽屏幕"],
      [375, true, "系统大字体（放大 1.3 倍）"],
    ] as const) {
      const ctx = await phone(browser, { width });
      const page = await ctx.newPage();
      try {
        if (big) {
          // what a larger system font does to a rem-based page: every text and box grows 1.3×
          await page.addInitScript(() => {
            const d = (globalThis as any).document;
            d.addEventListener("DOMContentLoaded", () => {
              const s = d.createElement("style");
              s.textContent = "html{font-size:26px!important}";
              d.head.appendChild(s);
            });
          });
        }
        await page.goto(appUrl(campaignId));
        await button(page, "学信网采集码采集").waitFor();
        await settle(page);
        const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        await rec.snap(page, `首页 · ${caption}`);
      } finally {
        await ctx.close();
      }
    }
    const ctx = await phone(browser);
    const page = await ctx.newPage();
    try {
      await page.goto(`${h5.url}/?api=${encodeURIComponent(j.url)}`);
      await page.getByText("未找到采集活动").waitFor();
      await rec.snap(page, "没有采集活动链接时的提示");
      // an unknown campaign: the API's Chinese message with a retry
      await page.goto(`${h5.url}/?campaign=00000000-0000-4000-8000-000000000000&api=${encodeURIComponent(j.url)}`);
      await page.locator(".taro_page_show [role=alert]").waitFor();
      await rec.snap(page, "出错时：显示原因与重试");
    } finally {
      rec.save();
      await ctx.close();
    }
  }, 120_000);
});
