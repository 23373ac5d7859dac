import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@gradphoto/testkit";
import { submitPhoto, startJourney, toPhotoStep, type Journey } from "../../api/test/journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "../../api/test/journey-data.js";
import { contactSheet, ensureBuilt, launchChromium, serveConsole } from "./e2e-kit.js";

/**
 * Case handling in the console (Chromium, real API): customer service lands on its work list,
 * an empty search says what to type, the reviewer's A can be undone, the campaign list follows a
 * review within seconds, the audit log names people — and every time is China time although the
 * browser runs in New York. Screens go to docs/admin-service-cases.png.
 */
const SHEET = path.resolve(import.meta.dirname, "../../../docs/admin-service-cases.png");
const PASSWORD = "staff-password-1";
const BROWSER_TZ = "America/New_York";

let j: Journey;
let photos: JourneyPhotos;
let browser: Browser;
let web: { url: string; close(): Promise<void> };
let campaignId: string;
let campaignName: string;
const users: Record<string, { username: string; id: string; token: string }> = {};
const grads: Record<string, { name: string; uniqueNumber: string; submissionId: string; token: string; outTradeNo?: string }> = {};
const shots: Array<{ title: string; png: Buffer }> = [];

/** "YYYY-MM-DD HH:mm" of an instant in China time, computed without the console's code. */
const chinaMinute = (d: Date) => {
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};

beforeAll(async () => {
  ensureBuilt();
  [j, photos] = await Promise.all([startJourney(), pickJourneyPhotos()]);
  web = await serveConsole(j.url);
  browser = await launchChromium();
  for (const [key, role, displayName] of [["service", "CUSTOMER_SERVICE", "张客服"], ["reviewer", "REVIEWER", "李审核"], ["admin", "SCHOOL_ADMIN", "王老师"]] as const) {
    const s = await j.staff(role);
    const u = await j.deps.db.staffUser.update({ where: { id: s.id }, data: { displayName } });
    users[key] = { username: u.username, id: s.id, token: s.token };
  }
  campaignId = await j.campaign();
  campaignName = (await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).name;
  for (const k of ["disputed", "manual", "refund", "review1", "review2"]) {
    const e = await j.rosterEntry(campaignId, photos.admission);
    const p = await toPhotoStep(j, campaignId, e);
    grads[k] = { name: e.name, uniqueNumber: e.uniqueNumber, submissionId: p.submissionId, token: p.token, outTradeNo: p.outTradeNo };
  }
  await submitPhoto(j, grads.disputed!.token, grads.disputed!.submissionId, photos.graduation);
  await j.call("POST", `/api/submissions/${grads.disputed!.submissionId}/admission-photo/dispute`, { token: grads.disputed!.token, body: { note: "录取照片不是我本人" } });
  for (const k of ["review1", "review2"]) {
    await submitPhoto(j, grads[k]!.token, grads[k]!.submissionId, photos.graduation);
    await j.call("POST", `/api/submissions/${grads[k]!.submissionId}/admission-photo/confirm`, { token: grads[k]!.token });
  }
  // reaching 待人工通过 takes three different failing photos (the journey tests); here the list is what matters
  await j.deps.db.submission.update({ where: { id: grads.manual!.submissionId }, data: { state: "NEEDS_MANUAL_PASS", qualifyingFailures: 3 } });
  const order = await j.deps.db.order.findUniqueOrThrow({ where: { outTradeNo: grads.refund!.outTradeNo! } });
  await j.call("POST", `/api/staff/orders/${order.id}/refunds`, { token: users.admin!.token, body: { reason: "毕业生已在现场补拍" } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function session(who: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", timezoneId: BROWSER_TZ });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${web.url}/?api=${encodeURIComponent(web.url)}`);
  await page.getByTestId("login-username").fill(users[who]!.username);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("user-menu").waitFor();
  return page;
}

async function shot(page: Page, title: string): Promise<void> {
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.waitForTimeout(400);
  shots.push({ title, png: await page.screenshot({ fullPage: false }) });
}

const stateOf = async (k: string) => (await j.deps.db.submission.findUniqueOrThrow({ where: { id: grads[k]!.submissionId } })).state;

describe("case handling in the console", () => {
  it("customer service lands on the work list with counts; an empty search says what to type", async () => {
    const page = await session("service");
    await page.getByTestId("service-worklist").waitFor();
    expect(new URL(page.url()).pathname).toBe("/service");
    const tabs = page.getByTestId("service-worklist").locator(".ant-tabs-tab");
    await expect.poll(async () => (await tabs.allTextContents()).map((t) => t.replace(/\s+/g, ""))).toEqual(["待人工通过1", "录取照片有异议1", "退款处理中1"]);
    const row = page.getByTestId("service-worklist").locator(".ant-tabs-tabpane-active .ant-table-row");
    await expect.poll(() => row.first().textContent()).toContain(`${grads.manual!.name} ${grads.manual!.uniqueNumber}`);
    expect(await row.first().textContent()).toContain("合格照片比对 3 次未通过");
    await shot(page, "客服工作台：待处理事项（待人工通过 / 录取照片有异议 / 退款处理中，带数量）");

    await tabs.nth(2).click();
    const refund = await j.deps.db.refund.findFirstOrThrow({ where: { order: { outTradeNo: grads.refund!.outTradeNo! } } });
    const refundRow = page.getByTestId("service-worklist").locator(".ant-tabs-tabpane-active .ant-table-row").first();
    await expect.poll(() => refundRow.textContent()).toContain(grads.refund!.outTradeNo!);
    // China time although the browser is in New York
    expect(await refundRow.textContent()).toContain(`王老师 · ${chinaMinute(refund.createdAt)}`);

    await page.getByPlaceholder("姓名 / 唯一编号 / 手机号 / 订单号").press("Enter");
    await page.getByTestId("service-search-hint").waitFor();
    expect(await page.getByTestId("service-search-hint").textContent()).toMatch(/请输入要查找的内容.*姓名.*唯一编号.*手机号.*订单号/);
    await shot(page, "空白查找：提示可输入的内容");

    await tabs.nth(1).click();
    await page.getByTestId("service-worklist").locator(".ant-tabs-tabpane-active .ant-table-row").first().click();
    await page.getByTestId("history").waitFor();
    expect(await page.getByTestId("history-state").textContent()).toBe("录取照片有异议");
    expect(new URL(page.url()).searchParams.get("submission")).toBe(grads.disputed!.submissionId);
    await page.context().close();
  });

  it("the reviewer's A waits 4 s with 撤销: Z takes it back, A A sends it at once", async () => {
    const page = await session("reviewer");
    await page.getByTestId("review-start").click();
    await page.getByTestId("review-item").waitFor();
    const name = (await page.getByTestId("review-name").textContent())!;
    const key = grads.review1!.name === name ? "review1" : "review2";
    await page.keyboard.press("a");
    await page.getByTestId("review-pending").waitFor();
    await shot(page, "照片审核：按 A 后 4 秒内可撤销（Z / Esc），再按 A 立即提交");
    await page.keyboard.press("z");
    await page.getByTestId("review-pending").waitFor({ state: "detached" });
    await page.waitForTimeout(5000); // past the undo window: nothing was sent
    expect(await stateOf(key)).toBe("REVIEWING");
    expect(await page.getByTestId("review-name").textContent()).toBe(name);
    await page.keyboard.press("a");
    await page.getByTestId("review-pending").waitFor();
    await page.keyboard.press("a");
    await waitFor(async () => (await stateOf(key)) === "APPROVED", { timeoutMs: 3000, what: "the approval sent at once" });
    await page.context().close();
  });

  it("the campaign list follows a review within seconds; the audit log names the graduate and the staff account", async () => {
    const page = await session("admin");
    await page.locator(".ant-menu").getByText("采集活动", { exact: true }).click();
    const header = (await page.locator(".ant-table-thead th").allTextContents()).map((t) => t.trim());
    const col = (title: string) => header.indexOf(title);
    const cell = (title: string) => page.locator(".ant-table-row", { hasText: campaignName }).locator("td").nth(col(title));
    await expect.poll(() => cell("已通过").textContent()).toBe("1");
    expect(await cell("待审核").textContent()).toBe("1");
    // another reviewer approves the other graduate through the API; the open page shows it within seconds
    const other = (await stateOf("review1")) === "REVIEWING" ? "review1" : "review2";
    await j.call("POST", "/api/staff/reviews/next", { token: users.reviewer!.token, body: { campaignId } });
    expect((await j.call("POST", `/api/staff/reviews/${grads[other]!.submissionId}`, { token: users.reviewer!.token, body: { decision: "APPROVED" } })).status).toBe(200);
    const t0 = Date.now();
    await expect.poll(() => cell("已通过").textContent(), { timeout: 10_000 }).toBe("2");
    expect(await cell("待审核").textContent()).toBe("0");
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(10);

    await page.locator(".ant-menu").getByText("操作日志", { exact: true }).click();
    await page.locator(".ant-table-row").first().waitFor();
    const approvedRow = page.locator(".ant-table-row", { hasText: "审核通过" }).first();
    await expect.poll(() => approvedRow.textContent()).toContain(`${grads[other]!.name}（${grads[other]!.uniqueNumber}）`);
    expect(await approvedRow.getByTestId("audit-actor").textContent()).toBe(`李审核（${users.reviewer!.username}）`);
    const entry = await j.deps.db.auditLog.findFirstOrThrow({ where: { targetId: grads[other]!.submissionId, action: "submission.review_approved" } });
    expect(await approvedRow.textContent()).toContain(`${chinaMinute(entry.createdAt)}`);
    await shot(page, "操作日志：毕业生姓名与唯一编号、工作人员账号（北京时间）");
    await page.context().close();
    await contactSheet(shots, SHEET, { columns: 2 });
  });
});
