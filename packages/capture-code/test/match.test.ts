import { describe, expect, it } from "vitest";
import { testDb, uniqueSuffix } from "@gradphoto/testkit";
import {
  bindCaptureCode,
  devDemoKey,
  DemoProvider,
  issueDemoCode,
  matchCaptureCode,
  NOTICE_NOT_GRADUATE,
  NOTICE_SCHOOL_MISMATCH,
  sha256Hex,
  type CaptureCodeFields,
} from "@gradphoto/capture-code";

const db = testDb();
const NOW = new Date("2026-03-01T04:00:00Z");
const DAY = 86_400_000;

async function setup(opts: { status?: "OPEN" | "CLOSED" | "DRAFT"; opensAt?: Date; closesAt?: Date } = {}) {
  const sfx = uniqueSuffix();
  const school = await db.school.create({ data: { code: `S${sfx}`, name: `测试大学${sfx}` } });
  const campaign = await db.campaign.create({
    data: {
      schoolId: school.id,
      name: "2026届毕业生图像采集",
      cohort: "2026届",
      status: opts.status ?? "OPEN",
      opensAt: opts.opensAt ?? new Date(NOW.getTime() - DAY),
      closesAt: opts.closesAt ?? new Date(NOW.getTime() + 10 * DAY),
      photoSpec: {},
      customerServicePhone: "027-87885551",
      customerServiceHours: "周一至周五 8:30-12:00 14:00-17:30",
      registrarContact: "研究生院培养办 022-85358024",
      paymentContact: "78284566@qq.com",
    },
  });
  const entry = await db.rosterEntry.create({
    data: {
      campaignId: campaign.id,
      uniqueNumber: `U${sfx}01`,
      name: "张小明",
      idNumberMasked: "1201**********123X",
      college: "计算机学院",
      major: "软件工程",
      degreeLevel: "硕士研究生",
    },
  });
  const ineligible = await db.rosterEntry.create({
    data: {
      campaignId: campaign.id,
      uniqueNumber: `U${sfx}02`,
      name: "王五",
      idNumberMasked: "1302**********5678",
      college: "计算机学院",
      major: "软件工程",
      degreeLevel: "本科",
      status: "INELIGIBLE",
    },
  });
  const user = await db.wechatUser.create({ data: { openid: `o-${sfx}-a` } });
  const other = await db.wechatUser.create({ data: { openid: `o-${sfx}-b` } });
  const fields: CaptureCodeFields = {
    uniqueNumber: entry.uniqueNumber,
    maskedName: "张*明",
    maskedIdNumber: "1201**********123X",
    schoolCode: school.code,
    schoolName: school.name,
    degreeLevel: "硕士研究生",
  };
  return { school, campaign, entry, ineligible, user, other, fields };
}

describe("matchCaptureCode on the database", () => {
  it("matches an eligible graduate of an open campaign", async () => {
    const s = await setup();
    const r = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({
      ok: true,
      code: "MATCHED",
      rosterEntry: { id: s.entry.id, name: "张小明", college: "计算机学院" },
      boundToSelf: null,
      consistent: { name: true, idNumber: true },
    });
  });

  it("flags masked fields that disagree with the roster without refusing", async () => {
    const s = await setup();
    const r = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: { ...s.fields, maskedName: "李*" }, wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({ ok: true, consistent: { name: false, idNumber: true } });
  });

  it("CODE_UNREADABLE when there are no fields, with the advice to save the code image", async () => {
    const s = await setup();
    const r = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: null, wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({ ok: false, code: "CODE_UNREADABLE" });
    expect(!r.ok && r.message).toContain("长按二维码选择保存采集码");
  });

  it("SCHOOL_MISMATCH when the code's 院校代码 is another school's", async () => {
    const s = await setup();
    const r = await matchCaptureCode(db, {
      campaignId: s.campaign.id,
      fields: { ...s.fields, schoolCode: "10001", schoolName: "北京大学" },
      wechatUserId: s.user.id,
      now: NOW,
    });
    expect(r).toMatchObject({ ok: false, code: "SCHOOL_MISMATCH" });
    expect(!r.ok && r.message).toContain(NOTICE_SCHOOL_MISMATCH);
  });

  it("NOT_ELIGIBLE when the unique number is not on the roster or marked ineligible", async () => {
    const s = await setup();
    for (const uniqueNumber of ["9999999999999999", s.ineligible.uniqueNumber]) {
      const r = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: { ...s.fields, uniqueNumber }, wechatUserId: s.user.id, now: NOW });
      expect(r).toMatchObject({ ok: false, code: "NOT_ELIGIBLE" });
      expect(!r.ok && r.message).toContain(NOTICE_NOT_GRADUATE);
      expect(!r.ok && r.message).toContain("研究生院培养办");
    }
  });

  it("CAMPAIGN_CLOSED before the window, after it, and for closed or draft campaigns", async () => {
    const cases = [
      await setup({ opensAt: new Date(NOW.getTime() + DAY) }),
      await setup({ closesAt: NOW }),
      await setup({ status: "CLOSED" }),
      await setup({ status: "DRAFT" }),
    ];
    for (const s of cases) {
      const r = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, wechatUserId: s.user.id, now: NOW });
      expect(r).toMatchObject({ ok: false, code: "CAMPAIGN_CLOSED" });
      expect(!r.ok && r.message).toMatch(/采集时间：\d{4}年\d{1,2}月\d{1,2}日/);
    }
  });

  it("CAMPAIGN_NOT_FOUND for an unknown campaign", async () => {
    const s = await setup();
    const r = await matchCaptureCode(db, { campaignId: "00000000-0000-4000-8000-000000000000", fields: s.fields, wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({ ok: false, code: "CAMPAIGN_NOT_FOUND" });
  });
});

describe("bindCaptureCode", () => {
  const key = devDemoKey();
  const provider = new DemoProvider({ publicKeys: { dev: key.publicKey } });

  it("binds a decoded demo code, stores the raw text and its hash, and is idempotent", async () => {
    const s = await setup();
    const raw = issueDemoCode(s.fields, key);
    const fields = await provider.decode(raw);
    const first = await bindCaptureCode(db, { campaignId: s.campaign.id, fields, rawText: raw, provider: "demo", wechatUserId: s.user.id, now: NOW });
    expect(first).toMatchObject({ ok: true, code: "BOUND", rosterEntryId: s.entry.id, created: true, replaced: false });
    const row = await db.captureCode.findUniqueOrThrow({ where: { id: first.ok ? first.captureCodeId : "" } });
    expect(row).toMatchObject({ rawText: raw, rawSha256: sha256Hex(raw), provider: "demo", uniqueNumber: s.entry.uniqueNumber, status: "BOUND" });
    expect(row.decodedFields).toEqual(fields);

    const again = await bindCaptureCode(db, { campaignId: s.campaign.id, fields, rawText: raw, provider: "demo", wechatUserId: s.user.id, now: NOW });
    expect(again).toMatchObject({ ok: true, created: false, captureCodeId: row.id });

    const m = await matchCaptureCode(db, { campaignId: s.campaign.id, fields, wechatUserId: s.user.id, now: NOW });
    expect(m).toMatchObject({ ok: true, boundToSelf: { id: row.id } });
  });

  it("CODE_ALREADY_BOUND when the graduate is bound to another WeChat account", async () => {
    const s = await setup();
    const raw = issueDemoCode(s.fields, key);
    expect((await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: raw, provider: "demo", wechatUserId: s.user.id, now: NOW })).ok).toBe(true);
    const m = await matchCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, wechatUserId: s.other.id, now: NOW });
    expect(m).toMatchObject({ ok: false, code: "CODE_ALREADY_BOUND" });
    expect(!m.ok && m.message).toContain("一个学籍只能对应一个采集码");
    expect(!m.ok && m.message).toContain("027-87885551");
    const b = await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: raw, provider: "demo", wechatUserId: s.other.id, now: NOW });
    expect(b).toMatchObject({ ok: false, code: "CODE_ALREADY_BOUND" });
    expect(await db.captureCode.count({ where: { rosterEntryId: s.entry.id } })).toBe(1);
  });

  it("lets exactly one of two concurrent bindings by different users win", async () => {
    const s = await setup();
    const raw = issueDemoCode(s.fields, key);
    const results = await Promise.all(
      [s.user.id, s.other.id].map((wechatUserId) =>
        bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: raw, provider: "demo", wechatUserId, now: NOW }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "CODE_ALREADY_BOUND")).toHaveLength(1);
    expect(await db.captureCode.count({ where: { rosterEntryId: s.entry.id, status: "BOUND" } })).toBe(1);
  });

  it("replaces the same user's older code of the same graduate (re-downloaded after a 学籍 change)", async () => {
    const s = await setup();
    const older = issueDemoCode(s.fields, key, { issuedAt: new Date(NOW.getTime() - 30 * DAY) });
    const newer = issueDemoCode(s.fields, key, { issuedAt: NOW });
    const a = await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: older, provider: "demo", wechatUserId: s.user.id, now: NOW });
    const b = await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: newer, provider: "demo", wechatUserId: s.user.id, now: NOW });
    expect(b).toMatchObject({ ok: true, created: true, replaced: true });
    const rows = await db.captureCode.findMany({ where: { rosterEntryId: s.entry.id }, orderBy: { boundAt: "asc" } });
    expect(rows.map((r) => r.status).sort()).toEqual(["BOUND", "REVOKED"]);
    expect(rows.find((r) => r.id === (a.ok ? a.captureCodeId : ""))?.status).toBe("REVOKED");
  });

  it("refuses a second graduate for the same WeChat account in one campaign", async () => {
    const s = await setup();
    const second = await db.rosterEntry.create({
      data: { campaignId: s.campaign.id, uniqueNumber: `${s.entry.uniqueNumber}9`, name: "赵六", idNumberMasked: "1101**********0000", college: "文学院", major: "汉语言文学", degreeLevel: "本科" },
    });
    const raw1 = issueDemoCode(s.fields, key);
    const f2 = { ...s.fields, uniqueNumber: second.uniqueNumber, maskedName: "赵*" };
    expect((await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: raw1, provider: "demo", wechatUserId: s.user.id, now: NOW })).ok).toBe(true);
    const r = await bindCaptureCode(db, { campaignId: s.campaign.id, fields: f2, rawText: issueDemoCode(f2, key), provider: "demo", wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({ ok: false, code: "ACCOUNT_HAS_OTHER_CODE" });
  });

  it("checks the window and the roster again when binding", async () => {
    const s = await setup({ status: "CLOSED" });
    const r = await bindCaptureCode(db, { campaignId: s.campaign.id, fields: s.fields, rawText: issueDemoCode(s.fields, key), provider: "demo", wechatUserId: s.user.id, now: NOW });
    expect(r).toMatchObject({ ok: false, code: "CAMPAIGN_CLOSED" });
    expect(await db.captureCode.count({ where: { rosterEntryId: s.entry.id } })).toBe(0);
  });
});
