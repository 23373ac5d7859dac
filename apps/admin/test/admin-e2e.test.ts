import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { unzipSync, zipSync } from "fflate";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devDemoKey, issueDemoCode } from "@gradphoto/capture-code";
import { maskIdNumber, maskName } from "@gradphoto/domain";
import { faceBytes, startJourney, submitPhoto, toPhotoStep, type Journey } from "../../api/test/journey-harness.js";
import { pickEarringPhoto, pickJourneyPhotos, pickQualifyingPhotos, type EarringPhoto, type JourneyPhotos } from "../../api/test/journey-data.js";
import { contactSheet, ensureBuilt, launchChromium, serveConsole } from "./e2e-kit.js";

/**
 * The admin console in Debian's Chromium against the real API: log in, create a campaign, import a
 * roster XLSX and an admission-photo ZIP, graduates go through the API, a reviewer approves one and
 * rejects another (its suspected earring circled on the standard photo), customer service passes one
 * after 3 failures, the export is downloaded and checked.
 * Every page is photographed into docs/admin-console.png.
 */
const REPO = path.resolve(import.meta.dirname, "../../..");
const SHEET = path.join(REPO, "docs/admin-console.png");
/** the manual pass as customer service and the reviewer see it */
const MANUAL_SHEET = path.join(REPO, "docs/admin-manual-pass.png");
const PASSWORD = "staff-password-1";

let j: Journey;
let photos: JourneyPhotos;
/** two studio portraits of other people (Face Research Lab London Set, CC BY 4.0): C's 2nd and 3rd different photos */
let others: Buffer[];
/** B's photo: a studio portrait whose earring the check flags (a warning), and the same person's 录取照片 */
let earring: EarringPhoto;
let browser: Browser;
let web: { url: string; close(): Promise<void> };
let users: Record<"admin" | "reviewer" | "service" | "operator", { username: string; token: string; id: string }>;
const shots: Array<{ title: string; png: Buffer }> = [];
const manualShots: Array<{ title: string; png: Buffer }> = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), "admin-e2e-"));

// Three graduates: A and B (who wears earrings) will be reviewed, C fails the comparison three times.
const grads = [
  { key: "A", name: "林晓彤", id: "110101199003074514", college: "计算机学院", major: "软件工程" },
  { key: "B", name: "周子涵", id: "110101199003075373", college: "计算机学院", major: "人工智能" },
  { key: "C", name: "陈思远", id: "110101199003070310", college: "外国语学院", major: "英语" },
] as const;
const uniqueOf = (k: string) => `2026${j.schoolCode}000${"ABC".indexOf(k) + 1}`;

beforeAll(async () => {
  ensureBuilt();
  [j, photos] = await Promise.all([startJourney(), pickJourneyPhotos()]);
  others = (await pickQualifyingPhotos(2)).map((p) => p.bytes);
  earring = await pickEarringPhoto();
  web = await serveConsole(j.url);
  browser = await launchChromium();
  const mk = async (role: "SCHOOL_ADMIN" | "REVIEWER" | "CUSTOMER_SERVICE" | "OPERATOR") => {
    const s = await j.staff(role);
    const u = await j.deps.db.staffUser.update({ where: { id: s.id }, data: { displayName: { SCHOOL_ADMIN: "王老师", REVIEWER: "李审核", CUSTOMER_SERVICE: "张客服", OPERATOR: "平台运维" }[role] } });
    return { username: u.username, token: s.token, id: s.id };
  };
  users = { admin: await mk("SCHOOL_ADMIN"), reviewer: await mk("REVIEWER"), service: await mk("CUSTOMER_SERVICE"), operator: await mk("OPERATOR") };
  await j.deps.db.rejectionReasonTemplate.createMany({
    data: ["照片背景不符合要求", "照片模糊或光线不均", "佩戴饰品或有色眼镜", "与录取照片差异较大，请重新拍摄"].map((text, i) => ({ schoolId: j.schoolId, text, sortOrder: i })),
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function session(who: keyof typeof users): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai", acceptDownloads: true });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${web.url}/?api=${encodeURIComponent(web.url)}`);
  await page.getByTestId("login-username").fill(users[who].username);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("user-menu").waitFor();
  return page;
}

async function shot(page: Page, title: string, also?: typeof shots): Promise<void> {
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.waitForTimeout(400); // charts and images settle
  const s = { title, png: await page.screenshot({ fullPage: false }) };
  shots.push(s);
  also?.push(s);
}

async function go(page: Page, menu: string): Promise<void> {
  await page.locator(".ant-menu").getByText(menu, { exact: true }).click();
}

async function waitDb<T>(fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("admin console in Chromium", () => {
  let campaignId: string;
  let admin: Page;

  it("logs in and creates a campaign", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
    const login = await ctx.newPage();
    await login.goto(`${web.url}/?api=${encodeURIComponent(web.url)}`);
    await login.getByTestId("login-username").fill(users.admin.username);
    await login.getByTestId("login-password").fill("wrong-password");
    await login.getByTestId("login-submit").click();
    await login.getByText("用户名或密码错误").waitFor();
    await shot(login, "登录（密码错误提示）");
    await ctx.close();

    admin = await session("admin");
    await go(admin, "采集活动");
    await admin.getByTestId("campaign-new").click();
    await admin.getByTestId("campaign-name").fill("2026届毕业生学历照片补采");
    await admin.getByTestId("campaign-cohort").fill("2026届");
    await admin.getByTestId("campaign-cs-phone").fill("027-87885551");
    await admin.getByTestId("campaign-cs-hours").fill("周一至周五 8:30-12:00 14:00-17:30");
    await admin.getByTestId("campaign-registrar").fill("研究生院培养办 022-85358024");
    await admin.getByTestId("campaign-payment-contact").fill("pay-support@example.edu.cn");
    await admin.getByTestId("campaign-save").click();
    await admin.getByText("活动设置 · 2026届毕业生学历照片补采").waitFor();
    const c = await waitDb(() => j.deps.db.campaign.findFirst({ where: { schoolId: j.schoolId, name: "2026届毕业生学历照片补采" } }));
    campaignId = c.id;
    expect(c).toMatchObject({ status: "OPEN", feeFen: 2000, schoolPaid: false, customerServicePhone: "027-87885551", consentVersion: 1, exportNamePattern: "{uniqueNumber}.jpg" });
    expect(c.photoSpec).toMatchObject({ output: { background: "blue", minKb: 20, maxKb: 40 } });
    await shot(admin, "采集活动设置（费用、照片规格、联系方式、温馨提示版本）");
    await admin.keyboard.press("Escape");
    await admin.locator(".ant-drawer").waitFor({ state: "hidden" });
  });

  it("imports a roster XLSX (preview, report, progress) and an admission-photo ZIP", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("名单");
    ws.addRow(["学信网唯一编号", "姓名", "身份证号", "手机号", "学院", "专业", "学历层次"]);
    grads.forEach((g, i) => ws.addRow([uniqueOf(g.key), g.name, g.id, `1390000000${i}`, g.college, g.major, "本科"]));
    ws.addRow([`2026${j.schoolCode}9999`, "错误示例", "110101199003074515", "13900000009", "外国语学院", "英语", "本科"]);
    const xlsx = path.join(tmp, "名单.xlsx");
    await wb.xlsx.writeFile(xlsx);

    await go(admin, "名单与录取照片");
    await admin.locator(".ant-tabs-tabpane-active input[type=file]").setInputFiles(xlsx);
    await admin.getByTestId("roster-report").waitFor();
    await admin.getByText("身份证号校验位错误，请核对").waitFor();
    await shot(admin, "名单导入：逐行校验报告与预览");
    await admin.getByTestId("roster-confirm").click();
    await admin.getByText("名单导入完成").waitFor();
    await shot(admin, "名单导入：后台导入进度与结果");
    expect(await j.deps.db.rosterEntry.count({ where: { campaignId } })).toBe(3);

    const zip = zipSync({
      [`${uniqueOf("A")}.jpg`]: new Uint8Array(faceBytes(photos.admission)),
      [`${uniqueOf("B")}.jpg`]: new Uint8Array(earring.admission.bytes),
      [`${uniqueOf("C")}.jpg`]: new Uint8Array(faceBytes(photos.stranger)),
      [`2026${j.schoolCode}8888.jpg`]: new Uint8Array(faceBytes(photos.groupPhoto)),
    });
    const zipFile = path.join(tmp, "录取照片.zip");
    writeFileSync(zipFile, zip);
    await admin.getByRole("tab", { name: "导入录取照片" }).click();
    await admin.locator(".ant-tabs-tabpane-active input[type=file]").setInputFiles(zipFile);
    await admin.getByText(/录取照片导入完成：成功 3 张，未导入 1 张/).waitFor({ timeout: 60_000 });
    await shot(admin, "录取照片 ZIP：逐张检查（可解码、单张人脸）");
    expect(await j.deps.db.rosterEntry.count({ where: { campaignId, admissionPhotoStatus: "PRESENT" } })).toBe(3);

    await admin.getByRole("tab", { name: "名单查询与演示采集码" }).click();
    await admin.locator(".ant-tabs-tabpane-active .ant-table-thead .ant-checkbox-input").check();
    await admin.getByTestId("demo-codes").click();
    await admin.getByTestId("code-sheet").locator("img").first().waitFor();
    await shot(admin, "演示采集码打印页（选中的名单）");
    await admin.keyboard.press("Escape");
  });

  it("graduates complete the journey through the API", async () => {
    const school = await j.deps.db.school.findUniqueOrThrow({ where: { id: j.schoolId } });
    const code = (g: (typeof grads)[number]) =>
      issueDemoCode({ uniqueNumber: uniqueOf(g.key), maskedName: maskName(g.name), maskedIdNumber: maskIdNumber(g.id), schoolCode: school.code, schoolName: school.name, degreeLevel: "本科" }, devDemoKey());
    const journey = async (g: (typeof grads)[number]) => {
      const p = await toPhotoStep(j, campaignId, { codeText: code(g) });
      // B wears earrings (a warning: the photo is accepted); C fails with three different photos (the same photo again would not count)
      const files = g.key === "C" ? [photos.graduation, ...others] : g.key === "B" ? [earring.bytes] : [photos.graduation];
      for (const file of files) {
        await submitPhoto(j, p.token, p.submissionId, file);
        const cmp = await j.call("POST", `/api/submissions/${p.submissionId}/admission-photo/confirm`, { token: p.token });
        expect(cmp.status).toBe(200);
      }
    };
    // A submits first, so the reviewer meets A, then B
    await journey(grads[0]);
    await Promise.all([journey(grads[1]), journey(grads[2])]);
    const states = await j.deps.db.submission.findMany({ where: { campaignId }, include: { rosterEntry: true } });
    expect(Object.fromEntries(states.map((s) => [s.rosterEntry!.name, s.state]))).toEqual({ 林晓彤: "REVIEWING", 周子涵: "REVIEWING", 陈思远: "NEEDS_MANUAL_PASS" });

    await go(admin, "数据看板");
    await admin.getByTestId("chart-funnel").waitFor();
    await admin.getByText("待客服人工通过").first().waitFor();
    await shot(admin, "数据看板（漏斗、每日、分数分布、需跟进、学院专业）");
  });

  it("the reviewer approves one and rejects another with the keyboard (its suspected earring circled)", async () => {
    const page = await session("reviewer");
    await page.getByTestId("review-start").click();
    await page.getByTestId("review-item").waitFor();
    await page.getByTestId("review-photo").evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    const first = (await page.getByTestId("review-name").textContent())!;
    expect(first).toBe("林晓彤");
    expect(await page.getByTestId("review-mark").count()).toBe(0); // nothing found: nothing circled
    await shot(page, "照片审核：标准照与录取照片同尺寸对照、分数、检测项");
    await page.keyboard.press("a");
    await waitDb(async () => (await page.getByTestId("review-name").textContent()) !== first);
    const second = (await page.getByTestId("review-name").textContent())!;
    expect(second).toBe("周子涵");

    // B's suspected earring, circled on the standard photo where the check found it
    const photo = page.getByTestId("review-photo");
    await photo.evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    const mark = page.getByTestId("review-mark");
    await mark.waitFor();
    expect(await mark.count()).toBe(1);
    await expect(mark.innerText()).resolves.toBe("疑似耳饰");
    const b = await j.deps.db.submission.findFirstOrThrow({ where: { campaignId, rosterEntry: { name: "周子涵" } }, include: { photos: true } });
    const report = b.photos.find((p) => p.id === b.submittedPhotoId)!.checkReport as { checks: Array<{ id: string; value: unknown }>; output: { crop: { x: number; y: number; width: number; height: number } } };
    const spot = report.checks.find((c) => c.id === "no_accessories")!.value as { x: number; y: number; r: number };
    expect(spot).toMatchObject(earring.spot); // the standardised report keeps the check's spot in source pixels
    const [pb, mb] = [(await photo.boundingBox())!, (await mark.boundingBox())!];
    const crop = report.output.crop;
    const k = pb.width / crop.width; // screen px per source px
    const centre = { x: mb.x + mb.width / 2, y: mb.y + mb.height / 2 };
    // inside the photo, where the spot is (through the recorded crop), with the spot's size
    expect(centre.x).toBeGreaterThan(pb.x);
    expect(centre.x).toBeLessThan(pb.x + pb.width);
    expect(centre.y).toBeGreaterThan(pb.y);
    expect(centre.y).toBeLessThan(pb.y + pb.height);
    expect(Math.abs(centre.x - (pb.x + (spot.x - crop.x) * k))).toBeLessThan(2);
    expect(Math.abs(centre.y - (pb.y + (spot.y - crop.y) * k))).toBeLessThan(2);
    expect(Math.abs(mb.width - 2 * spot.r * k)).toBeLessThan(5);
    await shot(page, "照片审核：检测发现的疑似耳饰在标准照上圈出");

    await page.keyboard.press("r");
    await page.getByTestId("reject-confirm").waitFor();
    await page.keyboard.press("3");
    await shot(page, "审核不通过：选择驳回理由（数字键选择，回车确认）");
    await page.keyboard.press("Enter");
    await page.getByText("暂时没有待审核的照片").waitFor();
    const subs = await j.deps.db.submission.findMany({ where: { campaignId }, include: { rosterEntry: true, reviews: true } });
    const by = (n: string) => subs.find((s) => s.rosterEntry?.name === n)!;
    expect(by(first).state).toBe("APPROVED");
    expect(by(second).state).toBe("REJECTED");
    expect(by(second).reviews[0]!.reason).toBe("佩戴饰品或有色眼镜");
    await page.context().close();
  });

  it("customer service finds the graduate and passes them by hand after 3 failures", async () => {
    const page = await session("service");
    await page.getByPlaceholder("姓名 / 唯一编号 / 手机号 / 订单号").fill("陈思远");
    await page.getByPlaceholder("姓名 / 唯一编号 / 手机号 / 订单号").press("Enter");
    await page.getByTestId("open-history").click();
    await page.getByTestId("history").waitFor();
    await page.getByRole("tab", { name: /人像比对/ }).click();
    // each comparison says who scored it
    expect(await page.getByTestId("history").getByText("本地模型").count()).toBeGreaterThanOrEqual(3);
    await shot(page, "客服工作台：毕业生完整记录（比对 3 次未通过）");
    await page.getByTestId("manual-pass").click();
    // the dialog shows the photos being judged beside the admission photo
    const judged = page.getByTestId("manual-pass-photos");
    await judged.waitFor();
    expect(await judged.locator("img").count()).toBe(4);
    await judged.locator("img").evaluateAll((imgs) => Promise.all(imgs.map((i) => (i as unknown as { decode(): Promise<void> }).decode().catch(() => undefined))));
    await page.getByTestId("dialog-reason").fill("毕业生到校出示身份证，经核对为本人");
    await shot(page, "人工通过：比对未通过的 3 张照片与录取照片对照", manualShots);
    await page.getByTestId("dialog-ok").click();
    await page.getByTestId("history-state").getByText("审核中").waitFor();
    await page.getByRole("tab", { name: /照片/ }).first().click();
    await shot(page, "客服人工通过后：照片、检测项与标准化记录");
    const c = await j.deps.db.submission.findFirstOrThrow({ where: { campaignId, rosterEntry: { name: "陈思远" } }, include: { overrides: true } });
    expect(c.state).toBe("REVIEWING");
    expect(c.overrides[0]).toMatchObject({ staffUserId: users.service.id, reason: "毕业生到校出示身份证，经核对为本人" });
    await page.context().close();
    // the reviewer sees the manual pass: who, why, the three photos (no bare failing score)
    const rev = await session("reviewer");
    await rev.getByTestId("review-start").click();
    const mp = rev.getByTestId("review-manual-pass");
    await mp.waitFor();
    const text = await mp.innerText();
    expect(text).toContain("客服已人工通过人像比对");
    expect(text).toContain("张客服");
    expect(text).toContain("毕业生到校出示身份证，经核对为本人");
    expect(await mp.locator("img").count()).toBe(4);
    expect(await rev.getByTestId("review-score").count()).toBe(0);
    await mp.locator("img").evaluateAll((imgs) => Promise.all(imgs.map((i) => (i as unknown as { decode(): Promise<void> }).decode().catch(() => undefined))));
    await shot(rev, "照片审核：客服人工通过（谁、原因、3 张照片）", manualShots);
    await rev.context().close();
    // the reviewer approves the hand-passed graduate too
    const next = await j.call("POST", "/api/staff/reviews/next", { token: users.reviewer.token, body: { campaignId } });
    await j.call("POST", `/api/staff/reviews/${next.body.submission.id}`, { token: users.reviewer.token, body: { decision: "APPROVED" } });
  });

  it("payments, export (unzip: names, count, 480×640, manifest rows) and the audit log", async () => {
    await go(admin, "订单与退款");
    await admin.locator(".ant-table-row").first().waitFor();
    await shot(admin, "订单与退款（对账状态）");
    expect(await admin.locator(".ant-table-row").count()).toBe(3);

    await go(admin, "照片导出");
    await admin.getByTestId("export-start").click();
    const downloadButton = admin.getByTestId("export-download").first();
    await downloadButton.waitFor({ timeout: 60_000 });
    await shot(admin, "照片导出：后台任务、进度与限时下载链接");
    const [download] = await Promise.all([admin.waitForEvent("download"), downloadButton.click()]);
    const file = path.join(tmp, "export.zip");
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/审核通过照片-\d{8}\.zip$/);

    const approved = await j.deps.db.submission.findMany({ where: { campaignId, state: "APPROVED" }, include: { rosterEntry: true } });
    expect(approved).toHaveLength(2);
    const files = unzipSync(new Uint8Array(readFileSync(file)));
    const expected = approved.map((s) => `${s.rosterEntry!.uniqueNumber}.jpg`).sort();
    expect(Object.keys(files).filter((f) => f.startsWith("photos/")).map((f) => f.slice(7)).sort()).toEqual(expected);
    expect(Object.keys(files).filter((f) => f.startsWith("print/")).map((f) => f.slice(6)).sort()).toEqual(expected);
    expect(Object.keys(files)).toHaveLength(5);
    for (const f of expected) {
      const m = await sharp(Buffer.from(files[`photos/${f}`]!)).metadata();
      expect([m.width, m.height, m.format]).toEqual([480, 640, "jpeg"]);
      const kb = files[`photos/${f}`]!.length / 1024;
      expect(kb).toBeGreaterThanOrEqual(20);
      expect(kb).toBeLessThanOrEqual(40);
      const p = await sharp(Buffer.from(files[`print/${f}`]!)).metadata();
      expect(p.width! / p.height!).toBeCloseTo(0.75, 2);
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(files["manifest.xlsx"]!) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, "序号", "学信网唯一编号", "姓名", "学院", "专业", "学历层次", "比对分数", "审核时间", "审核人", "审核方式", "照片文件"]);
    const rows = [2, 3].map((r) => ws.getRow(r).values as unknown[]);
    expect(rows.map((r) => r[2]).sort()).toEqual(approved.map((s) => s.rosterEntry!.uniqueNumber).sort());
    expect(rows.map((r) => r[3]).sort()).toEqual(approved.map((s) => s.rosterEntry!.name).sort());
    for (const r of rows) {
      expect(r[9]).toBe("李审核");
      expect(String(r[8])).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2}/);
      expect(r[11]).toBe(`${r[2]}.jpg`);
    }
    const scoreOf = (name: string) => rows.find((r) => r[3] === name)?.[7];
    expect(Number(scoreOf("林晓彤") ?? scoreOf("周子涵"))).toBeGreaterThanOrEqual(80);
    expect(ws.rowCount).toBe(3);

    await go(admin, "操作日志");
    await admin.locator(".ant-table-row").first().waitFor();
    await admin.locator(".ant-table-row .ant-table-row-expand-icon").nth(1).click().catch(() => undefined);
    await shot(admin, "操作日志（按操作、人员、时间筛选）");
    const actions = (await j.deps.db.auditLog.findMany({ where: { schoolId: j.schoolId }, select: { action: true } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["campaign.created", "roster.import_confirmed", "roster.imported", "roster.admission_photos_imported", "submission.review_approved", "submission.review_rejected", "submission.manual_pass", "export.requested", "export.link_issued"]));

    await go(admin, "客服工作台");
    await admin.getByPlaceholder("姓名 / 唯一编号 / 手机号 / 订单号").fill(approved[0]!.rosterEntry!.uniqueNumber);
    await admin.getByPlaceholder("姓名 / 唯一编号 / 手机号 / 订单号").press("Enter");
    await admin.getByTestId("open-history").click();
    await admin.getByTestId("history").waitFor();
    await admin.getByRole("tab", { name: /状态流转/ }).click();
    await shot(admin, "毕业生记录：状态流转");
  });

  it("operators manage accounts; the contact sheet is written", async () => {
    const page = await session("operator");
    await go(page, "账号管理");
    await page.locator(".ant-table-row").first().waitFor();
    await shot(page, "账号管理（平台运维）");
    await go(page, "采集活动");
    await page.locator(".ant-table-row").first().waitFor();
    await shot(page, "采集活动列表（平台运维：全部学校）");
    await page.context().close();
    await contactSheet(shots, SHEET, { note: "影棚照片：Face Research Lab London Set, DeBruine & Jones (2017), CC BY 4.0" });
    await contactSheet(manualShots, MANUAL_SHEET, { columns: 2, note: "影棚照片：Face Research Lab London Set, DeBruine & Jones (2017), CC BY 4.0" });
    // E2E_SHOTS_DIR=… keeps every screenshot at full size (for looking at details)
    if (process.env.E2E_SHOTS_DIR) shots.forEach((s, i) => writeFileSync(path.join(process.env.E2E_SHOTS_DIR!, `${String(i + 1).padStart(2, "0")}.png`), s.png));
    const m = await sharp(SHEET).metadata();
    expect(m.width).toBeGreaterThan(2000);
  });
});
