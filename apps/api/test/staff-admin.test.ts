import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import ExcelJS from "exceljs";
import { unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { decryptIdNumber } from "../src/lib/id-crypto.js";
import { sealPlaintextPhones } from "../src/services/admin/phone-backfill.js";
import { applyRosterImport } from "../src/services/admin/roster-import.js";
import { failStaleTasks, purgeExpiredExports } from "../src/jobs/maintenance.js";
import { faceBytes, submitPhoto, toPhotoStep, startJourney, type Journey } from "./journey-harness.js";
import { pickJourneyPhotos, type JourneyPhotos } from "./journey-data.js";
import { waitFor } from "@gradphoto/testkit";

/**
 * The admin console's staff routes, end to end over HTTP: campaigns, roster and admission-photo
 * import, demo codes, customer service, payments, export, dashboard, review templates, accounts, audit.
 */
let j: Journey;
let photos: JourneyPhotos;
let admin: { token: string; id: string };
let service: { token: string; id: string };
let reviewer: { token: string; id: string };
let operator: { token: string; id: string };
let campaignId: string;

const ids = ["110101199003074514", "110101199003075373", "110101199003070310", "110101199003078275", "110101199003076720", "110101199003073116"];

const form = (name: string, data: Uint8Array | string, type: string) => {
  const f = new FormData();
  f.append("file", new Blob([data], { type }), name);
  return f;
};

async function importDone(id: string) {
  return waitFor(async () => {
    const r = await j.call("GET", `/api/staff/roster-imports/${id}`, { token: admin.token });
    return r.body.status === "DONE" || r.body.status === "FAILED" ? r.body : null;
  });
}

beforeAll(async () => {
  j = await startJourney();
  photos = await pickJourneyPhotos();
  [admin, service, reviewer, operator] = await Promise.all([j.staff("SCHOOL_ADMIN"), j.staff("CUSTOMER_SERVICE"), j.staff("REVIEWER"), j.staff("OPERATOR")]);
}, 180_000);

describe("campaigns", () => {
  it("creates, edits and versions the consent text; every change is audited", async () => {
    const now = Date.now();
    const body = {
      name: "2026届学历照片补采",
      cohort: "2026届",
      status: "OPEN",
      opensAt: new Date(now - 3600_000).toISOString(),
      closesAt: new Date(now + 20 * 86400_000).toISOString(),
      schoolPaid: false,
      feeFen: 2000,
      reviewMode: "MANUAL",
      photoSpec: { background: "white", minKb: 25, maxKb: 45, album: { minWidth: 480, maxWidth: 1200, minHeight: 640, maxHeight: 1600, minKb: 60, maxKb: 900 } },
      contacts: { customerServicePhone: "027-87885551", customerServiceHours: "工作日 8:30-12:00 14:00-17:30", registrarContact: "研究生院培养办 85358024", paymentContact: "78284566@qq.com" },
      notifyTemplates: { reviewPassed: "tpl-review-passed", reviewRejected: "tpl-review-rejected" },
      exportNamePattern: "{uniqueNumber}_{name}.jpg",
      consentText: "温馨提示：照片将用于学历电子注册，请本人采集。",
    };
    const bad = await j.call("POST", "/api/staff/campaigns", { token: admin.token, body: { ...body, closesAt: body.opensAt } });
    expect(bad.status).toBe(400);
    const badPattern = await j.call("POST", "/api/staff/campaigns", { token: admin.token, body: { ...body, exportNamePattern: "{name}.jpg" } });
    expect(badPattern.status).toBe(400);
    const created = await j.call("POST", "/api/staff/campaigns", { token: admin.token, body });
    expect(created.status).toBe(200);
    campaignId = created.body.id;
    expect(created.body).toMatchObject({ schoolId: j.schoolId, consentVersion: 1, photoSpec: body.photoSpec, contacts: body.contacts, exportNamePattern: "{uniqueNumber}_{name}.jpg" });
    const stored = await j.deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(stored.photoSpec).toMatchObject({ output: { background: "white", minKb: 25, maxKb: 45 }, album: { width: [480, 1200], minBytes: 60 * 1024 } });

    const patched = await j.call("PATCH", `/api/staff/campaigns/${campaignId}`, { token: admin.token, body: { feeFen: 1500, reviewMode: "MANUAL", photoSpec: { ...body.photoSpec, background: "blue" } } });
    expect(patched.body).toMatchObject({ feeFen: 1500, photoSpec: { background: "blue" } });

    const v2 = await j.call("POST", `/api/staff/campaigns/${campaignId}/consent-texts`, { token: admin.token, body: { text: "温馨提示（第二版）：请本人采集，勿替他人采集。" } });
    expect(v2.body).toMatchObject({ consentVersion: 2, consentText: "温馨提示（第二版）：请本人采集，勿替他人采集。" });
    expect(v2.body.consentVersions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const same = await j.call("POST", `/api/staff/campaigns/${campaignId}/consent-texts`, { token: admin.token, body: { text: "温馨提示（第二版）：请本人采集，勿替他人采集。" } });
    expect(same.body.code).toBe("CONSENT_UNCHANGED");
    // the graduate sees the new version
    const pub = await j.call("GET", `/api/campaigns/${campaignId}/consent`);
    expect(pub.body.version).toBe(2);

    const list = await j.call("GET", "/api/staff/campaigns", { token: reviewer.token });
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(campaignId);
    const audit = await j.call("GET", `/api/staff/audit-logs?targetId=${campaignId}`, { token: admin.token });
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(["campaign.consent_published", "campaign.created", "campaign.updated"]);
    expect(audit.body.items[0].actorName).toContain("SCHOOL_ADMIN");
    // what graduates are told to call is audited: a changed customer-service phone or provider shows in the log
    const rephoned = await j.call("PATCH", `/api/staff/campaigns/${campaignId}`, { token: admin.token, body: { contacts: { ...body.contacts, customerServicePhone: "027-87880000" } } });
    expect(rephoned.status, JSON.stringify(rephoned.body)).toBe(200);
    const log = await j.call("GET", `/api/staff/audit-logs?targetId=${campaignId}`, { token: admin.token });
    const change = log.body.items.find((a: { action: string; after: { customerServicePhone?: string } | null }) => a.action === "campaign.updated" && a.after?.customerServicePhone === "027-87880000");
    expect(change?.before).toMatchObject({ customerServicePhone: "027-87885551", faceProvider: "local", paymentContact: "78284566@qq.com" });
  });
});

describe("roster import", () => {
  it("validates row by row, imports the valid rows with progress, encrypts ID numbers, and re-imports without duplicates", async () => {
    const csv = [
      "学信网唯一编号,姓名,身份证号,手机号,学院,专业,学历层次",
      `2026A0000001,张明,${ids[0]},13800000001,计算机学院,软件工程,本科`,
      `2026A0000002,李华,${ids[1]},13800000002,计算机学院,软件工程,本科`,
      `2026A0000003,王芳,${ids[2]},,外国语学院,英语,本科`,
      `2026A0000004,,${ids[3]},13800000004,外国语学院,英语,本科`, // name missing
      `2026A0000005,赵磊,110101199003074515,13800000005,经管学院,会计学,本科`, // bad check digit
      `2026A0000006,陈静,12345,13800000006,经管学院,会计学,本科`, // malformed
      `2026A0000007,周杰,${ids[4]},13800000007,经管学院,会计学,硕士研究生`,
      `2026A0000007,吴敏,${ids[5]},13800000008,经管学院,会计学,硕士研究生`, // duplicate unique number
    ].join("\r\n");
    const up = await j.call("POST", `/api/staff/campaigns/${campaignId}/roster-imports`, { token: admin.token, form: form("名单.csv", "\uFEFF" + csv, "text/csv") });
    expect(up.status).toBe(200);
    const r = up.body.report;
    expect(up.body.status).toBe("QUEUED");
    expect(r).toMatchObject({ kind: "ROSTER", totalRows: 8, validRows: 3, invalidRows: 5, newRows: 3, missingColumns: [] });
    const msg = (row: number) => r.issues.filter((i: { row: number }) => i.row === row).map((i: { message: string }) => i.message).join(";");
    expect(msg(5)).toContain("姓名为空");
    expect(msg(6)).toContain("校验位");
    expect(msg(7)).toContain("格式错误");
    expect(msg(8)).toContain("重复");
    expect(msg(9)).toContain("重复");
    expect(r.preview[0]).toMatchObject({ uniqueNumber: "2026A0000001", idNumberMasked: "110***********4514", action: "NEW" });
    expect(await j.deps.db.rosterEntry.count({ where: { campaignId } })).toBe(0); // nothing written before confirming

    const confirmed = await j.call("POST", `/api/staff/roster-imports/${up.body.id}/confirm`, { token: admin.token });
    expect(confirmed.status).toBe(200);
    const done = await importDone(up.body.id);
    expect(done).toMatchObject({ status: "DONE", total: 3, done: 3, report: { applied: { inserted: 3, updated: 0, skipped: 5 } } });
    const e1 = await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { campaignId_uniqueNumber: { campaignId, uniqueNumber: "2026A0000001" } } });
    expect(e1).toMatchObject({ name: "张明", idNumberMasked: "110***********4514", phone: null, college: "计算机学院", admissionPhotoStatus: "MISSING" });
    expect(decryptIdNumber(j.deps.config.idEncryptionKey, e1.idNumberEncrypted!)).toBe(ids[0]);
    // the phone number like the ID number: only encrypted, plus a keyed hash for search; nowhere in plaintext
    expect(decryptIdNumber(j.deps.config.idEncryptionKey, e1.phoneEncrypted!)).toBe("13800000001");
    expect(e1.phoneHash).toMatch(/^[0-9a-f]{64}$/);
    const leaked = await j.deps.db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "roster_entries" r WHERE r.campaign_id = ${campaignId}::uuid AND (row_to_json(r)::text LIKE '%13800000001%' OR encode(r.phone_encrypted, 'escape') LIKE '%13800000001%')`;
    expect(Number(leaked[0]!.n)).toBe(0);
    expect(Buffer.from(e1.idNumberEncrypted!).includes(Buffer.from(ids[0]!))).toBe(false);

    // The same people again as XLSX: one moved college, one new; ID numbers as text; a title row above the header.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("名单");
    ws.addRow(["2026届毕业生名单"]);
    ws.addRow(["学信网唯一编号", "姓名", "身份证号", "手机号", "学院", "专业", "学历层次"]);
    ws.addRow(["2026A0000001", "张明", ids[0], "13800000001", "计算机学院", "软件工程", "本科"]);
    ws.addRow(["2026A0000002", "李华", ids[1], "13800000002", "人工智能学院", "软件工程", "本科"]);
    ws.addRow(["2026A0000003", "王芳", ids[2], "", "外国语学院", "英语", "本科"]);
    ws.addRow(["2026A0000008", "孙悦", ids[3], "13800000009", "外国语学院", "英语", "本科"]);
    ws.addRow(["2026A0000009", "徐超", 110101199003078275, "13800000010", "外国语学院", "英语", "本科"]); // ID stored as a number
    const xlsx = new Uint8Array(await wb.xlsx.writeBuffer());
    const up2 = await j.call("POST", `/api/staff/campaigns/${campaignId}/roster-imports`, { token: admin.token, form: form("名单.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") });
    expect(up2.body.report).toMatchObject({ totalRows: 5, newRows: 1, updatedRows: 1, unchangedRows: 2, invalidRows: 1 });
    expect(up2.body.report.issues[0].message).toContain("数字");
    await j.call("POST", `/api/staff/roster-imports/${up2.body.id}/confirm`, { token: admin.token });
    const done2 = await importDone(up2.body.id);
    expect(done2.report.applied).toMatchObject({ inserted: 1, updated: 1 });
    expect(await j.deps.db.rosterEntry.count({ where: { campaignId } })).toBe(4);
    const moved = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { campaignId, uniqueNumber: "2026A0000002" } });
    expect(moved.college).toBe("人工智能学院");
    // the changed entry is in the audit log with what it held before (masked ID only); the new one is not an update
    const changed = await j.deps.db.auditLog.findMany({ where: { action: "roster.entry_updated", after: { path: ["import"], equals: up2.body.id } } });
    expect(changed.map((a) => a.targetId)).toEqual([moved.id]);
    expect(changed[0]).toMatchObject({ actorType: "STAFF", before: { name: "李华", college: "计算机学院" }, after: { name: "李华", college: "人工智能学院" } });
    expect(JSON.stringify([changed[0]!.before, changed[0]!.after])).not.toContain(ids[1]!);

    const bad = await j.call("POST", `/api/staff/campaigns/${campaignId}/roster-imports`, { token: admin.token, form: form("x.csv", "a,b,c\n1,2,3\n", "text/csv") });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe("ROSTER_NO_HEADER");

    const page = await j.call("GET", `/api/staff/campaigns/${campaignId}/roster?q=2026A00000&pageSize=2`, { token: admin.token });
    expect(page.body).toMatchObject({ total: 4, pageSize: 2 });
    expect(page.body.colleges).toEqual(["人工智能学院", "外国语学院", "计算机学院"].sort());
  });

  it("imports a ZIP of admission photos: one face each, named by unique number, with a per-file report", async () => {
    const zip = zipSync({
      "录取照片/2026A0000001.jpg": new Uint8Array(faceBytes(photos.admission)),
      "录取照片/2026A0000002.jpg": new Uint8Array(faceBytes(photos.groupPhoto)),
      "录取照片/2026A0000003.png": new Uint8Array(Buffer.from("not really a png")),
      "录取照片/2099X0000001.jpg": new Uint8Array(faceBytes(photos.admission)),
      "说明.txt": new Uint8Array(Buffer.from("readme")),
      "__MACOSX/._2026A0000001.jpg": new Uint8Array([0]),
    });
    const up = await j.call("POST", `/api/staff/campaigns/${campaignId}/admission-imports`, { token: admin.token, form: form("录取照片.zip", zip, "application/zip") });
    expect(up.status).toBe(200);
    const done = await importDone(up.body.id);
    expect(done).toMatchObject({ status: "DONE", total: 5, done: 5, report: { totalFiles: 5, ok: 1, failed: 4 } });
    const code = (f: string) => done.report.items.find((i: { file: string }) => i.file.endsWith(f))?.code;
    expect(code("2026A0000001.jpg")).toBe("OK");
    expect(code("2026A0000002.jpg")).toBe("MULTIPLE_FACES");
    expect(code("2026A0000003.png")).toBe("UNDECODABLE");
    expect(code("2099X0000001.jpg")).toBe("NOT_IN_ROSTER");
    expect(code("说明.txt")).toBe("NOT_AN_IMAGE");
    const e1 = await j.deps.db.rosterEntry.findFirstOrThrow({ where: { campaignId, uniqueNumber: "2026A0000001" } });
    expect(e1.admissionPhotoStatus).toBe("PRESENT");
    const jpeg = await j.deps.storage.get(e1.admissionPhotoKey!);
    expect((await sharp(jpeg).metadata()).format).toBe("jpeg");
    // the single-photo replacement refuses a group photo
    const one = await j.call("POST", `/api/staff/roster-entries/${e1.id}/admission-photo`, { token: admin.token, form: form("x.jpg", new Uint8Array(faceBytes(photos.groupPhoto)), "image/jpeg") });
    expect(one.body.code).toBe("ADMISSION_MULTIPLE_FACES");
  });
});

describe("imports as schools' files really come (and as an attacker sends them)", () => {
  it("admission ZIP: a cut-off JPEG fails alone, backslash folders and GBK names without the UTF-8 flag match", async () => {
    const cid = await j.campaign();
    const [a, b, c] = [await j.rosterEntry(cid, null), await j.rosterEntry(cid, null), await j.rosterEntry(cid, null)];
    const good = new Uint8Array(faceBytes(photos.admission));
    // what Windows' own "send to compressed folder" writes on a Chinese system: the folder name in GBK,
    // no UTF-8 flag; built with an ASCII placeholder of the same byte length, then patched in
    const gbk = Buffer.from([0xc2, 0xbc, 0xc8, 0xa1, 0xd5, 0xd5, 0xc6, 0xac]); // 录取照片
    const zip = Buffer.from(zipSync({
      [`录取照片\\${a.uniqueNumber}.jpg`]: good,
      [`QQQQQQQQ/${b.uniqueNumber}.jpg`]: good,
      [`${c.uniqueNumber}.jpg`]: good.subarray(0, Math.floor(good.length / 2)), // cut off mid-upload
    }));
    for (let at = zip.indexOf("QQQQQQQQ"); at >= 0; at = zip.indexOf("QQQQQQQQ", at + 1)) gbk.copy(zip, at);
    const up = await j.call("POST", `/api/staff/campaigns/${cid}/admission-imports`, { token: admin.token, form: form("录取照片.zip", new Uint8Array(zip), "application/zip") });
    expect(up.status).toBe(200);
    const done = await importDone(up.body.id);
    expect(done).toMatchObject({ status: "DONE", report: { totalFiles: 3, ok: 2, failed: 1 } });
    const item = (u: string) => done.report.items.find((i: { uniqueNumber: string }) => i.uniqueNumber === u);
    expect(item(a.uniqueNumber)).toMatchObject({ code: "OK", file: `录取照片/${a.uniqueNumber}.jpg` });
    expect(item(b.uniqueNumber)).toMatchObject({ code: "OK", file: `录取照片/${b.uniqueNumber}.jpg` });
    expect(item(c.uniqueNumber)).toMatchObject({ code: "UNDECODABLE", message: expect.stringMatching(/不完整|损坏/) });
  });

  it("admission ZIP: a zip bomb is refused from its declared sizes, before anything is inflated", async () => {
    const cid = await j.campaign();
    const e = await j.rosterEntry(cid, null);
    // 40 MB of zeros packs into ≈ 40 KB
    const zip = zipSync({ [`${e.uniqueNumber}.jpg`]: new Uint8Array(40 * 1024 * 1024) }, { level: 9 });
    expect(zip.length).toBeLessThan(200_000);
    const up = await j.call("POST", `/api/staff/campaigns/${cid}/admission-imports`, { token: admin.token, form: form("bomb.zip", zip, "application/zip") });
    const done = await importDone(up.body.id);
    expect(done).toMatchObject({ status: "FAILED", report: { error: expect.stringMatching(/解压后超过/) } });
  });

  it("roster: a unique-number column filled down over 20,000 rows is reported quickly and briefly", async () => {
    const cid = await j.campaign();
    const rows = ["学信网唯一编号,姓名,身份证号,手机号,学院,专业,学历层次"];
    for (let i = 0; i < 20_000; i++) rows.push(`2026A0999999,导入测试,${ids[0]},,计算机学院,软件工程,本科`);
    const up = await j.call("POST", `/api/staff/campaigns/${cid}/roster-imports`, { token: admin.token, form: form("名单.csv", rows.join("\r\n"), "text/csv") });
    expect(up.status).toBe(200);
    expect(up.body.report).toMatchObject({ totalRows: 20_000, validRows: 0 });
    const first = up.body.report.issues[0].message as string;
    expect(first).toContain("等共 20000 行");
    expect(first.length).toBeLessThan(100);
  });

  it("roster: an import that fails part-way says how many rows are in, and the same file completes it", async () => {
    const cid = await j.campaign();
    const rows = ["学信网唯一编号,姓名,身份证号,手机号,学院,专业,学历层次"];
    for (let i = 0; i < 600; i++) rows.push(`2026P${String(i).padStart(7, "0")},导入测试,${ids[i % ids.length]},,计算机学院,软件工程,本科`);
    const csv = rows.join("\r\n");
    // the database refuses one row of the second chunk (a fault the validation cannot foresee)
    const bad = "2026P0000550";
    await j.deps.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION gp_test_refuse_row() RETURNS trigger AS $$ BEGIN IF NEW.unique_number = '${bad}' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await j.deps.db.$executeRawUnsafe(`CREATE TRIGGER gp_test_refuse BEFORE INSERT ON roster_entries FOR EACH ROW EXECUTE FUNCTION gp_test_refuse_row()`);
    try {
      const up = await j.call("POST", `/api/staff/campaigns/${cid}/roster-imports`, { token: admin.token, form: form("名单.csv", csv, "text/csv") });
      expect(up.body.report).toMatchObject({ totalRows: 600, validRows: 600 });
      await expect(applyRosterImport(j.deps, up.body.id, { lastAttempt: true })).rejects.toThrow(/refused by test/);
      const failed = await j.call("GET", `/api/staff/roster-imports/${up.body.id}`, { token: admin.token });
      expect(failed.body).toMatchObject({ status: "FAILED", report: { applied: { inserted: 500, updated: 0 }, error: expect.stringContaining("已写入 500 行") } });
      expect(await j.deps.db.rosterEntry.count({ where: { campaignId: cid } })).toBe(500);
      // the rows it did write are in the audit log
      expect(await j.deps.db.auditLog.findFirstOrThrow({ where: { action: "roster.import_failed", targetId: up.body.id } })).toMatchObject({ after: { inserted: 500, updated: 0, file: "名单.csv" } });
    } finally {
      await j.deps.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS gp_test_refuse ON roster_entries`);
      await j.deps.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS gp_test_refuse_row()`);
    }
    const again = await j.call("POST", `/api/staff/campaigns/${cid}/roster-imports`, { token: admin.token, form: form("名单.csv", csv, "text/csv") });
    expect(again.body.report).toMatchObject({ newRows: 100, unchangedRows: 500 });
    await j.call("POST", `/api/staff/roster-imports/${again.body.id}/confirm`, { token: admin.token });
    expect(await importDone(again.body.id)).toMatchObject({ status: "DONE", report: { applied: { inserted: 100 } } });
    expect(await j.deps.db.rosterEntry.count({ where: { campaignId: cid } })).toBe(600);
  });

  it("an import or export whose worker died is failed by the sweep, with a message; a live one is left running", async () => {
    const cid = await j.campaign();
    const staff = await j.staff("SCHOOL_ADMIN");
    const mk = async () => ({
      imp: await j.deps.db.rosterImport.create({ data: { campaignId: cid, requestedBy: staff.id, kind: "ADMISSION_PHOTOS", status: "RUNNING", objectKey: "imports/x/admission.zip", report: { kind: "ADMISSION_PHOTOS", fileName: "录取照片.zip", totalFiles: 0, ok: 0, failed: 0, items: [], error: null } } }),
      exp: await j.deps.db.exportJob.create({ data: { campaignId: cid, requestedBy: staff.id, status: "RUNNING" } }),
    });
    const dead = await mk();
    const live = await mk();
    // the dead pair last reported progress an hour ago
    await j.deps.db.$executeRaw`UPDATE roster_imports SET updated_at = now() - interval '1 hour' WHERE id = ${dead.imp.id}::uuid`;
    await j.deps.db.$executeRaw`UPDATE export_jobs SET updated_at = now() - interval '1 hour' WHERE id = ${dead.exp.id}::uuid`;
    const swept = await failStaleTasks(j.deps);
    expect(swept.imports).toBeGreaterThanOrEqual(1);
    expect(swept.exports).toBeGreaterThanOrEqual(1);
    const shown = await j.call("GET", `/api/staff/roster-imports/${dead.imp.id}`, { token: admin.token });
    expect(shown.body).toMatchObject({ status: "FAILED", report: { fileName: "录取照片.zip", error: expect.stringContaining("任务中断") } });
    expect(await j.deps.db.exportJob.findUniqueOrThrow({ where: { id: dead.exp.id } })).toMatchObject({ status: "FAILED", error: expect.stringContaining("任务中断") });
    expect((await j.deps.db.rosterImport.findUniqueOrThrow({ where: { id: live.imp.id } })).status).toBe("RUNNING");
    expect((await j.deps.db.exportJob.findUniqueOrThrow({ where: { id: live.exp.id } })).status).toBe("RUNNING");
    await j.deps.db.rosterImport.updateMany({ where: { id: live.imp.id }, data: { status: "FAILED" } });
    await j.deps.db.exportJob.updateMany({ where: { id: live.exp.id }, data: { status: "FAILED" } });
  });

  it("roster: a 16-digit unique number that Excel stored as a number is refused (its last digit may be gone)", async () => {
    const cid = await j.campaign();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("名单");
    ws.addRow(["学信网唯一编号", "姓名", "身份证号", "手机号", "学院", "专业", "学历层次"]);
    ws.addRow([2026105580000001, "导入测试", ids[0], "", "计算机学院", "软件工程", "本科"]);
    ws.addRow(["2026105580000002", "导入测试", ids[1], "", "计算机学院", "软件工程", "本科"]);
    const up = await j.call("POST", `/api/staff/campaigns/${cid}/roster-imports`, { token: admin.token, form: form("名单.xlsx", new Uint8Array(await wb.xlsx.writeBuffer()), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") });
    expect(up.body.report).toMatchObject({ totalRows: 2, validRows: 1, invalidRows: 1 });
    expect(up.body.report.issues[0]).toMatchObject({ row: 2, message: expect.stringContaining("学信网唯一编号被 Excel 存成了数字") });
  });

  it("roster: an XLSX that would unpack to more than a roster can hold is refused before it is loaded", async () => {
    const cid = await j.campaign();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("名单").addRow(["学信网唯一编号", "姓名", "身份证号"]);
    const xlsx = unzipSync(new Uint8Array(await wb.xlsx.writeBuffer()));
    // one extra part of 250 MB of spaces (compresses to ≈ 250 KB)
    const padded = zipSync({ ...xlsx, "xl/media/padding.bin": new Uint8Array(250 * 1024 * 1024).fill(32) }, { level: 9 });
    const up = await j.call("POST", `/api/staff/campaigns/${cid}/roster-imports`, { token: admin.token, form: form("名单.xlsx", padded, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") });
    expect(up.status).toBe(422);
    expect(up.body).toMatchObject({ code: "ROSTER_TOO_LARGE", message: expect.stringContaining("解压后过大") });
  });
});

describe("a graduate through the console", () => {
  let submissionId: string;
  let codeText: string;

  it("prints demo capture codes that a graduate can bind", async () => {
    const entries = await j.deps.db.rosterEntry.findMany({ where: { campaignId }, orderBy: { uniqueNumber: "asc" } });
    const sheet = await j.call("POST", `/api/staff/campaigns/${campaignId}/demo-codes`, { token: admin.token, body: { entryIds: entries.slice(0, 2).map((e) => e.id) } });
    expect(sheet.status).toBe(200);
    expect(sheet.body.items).toHaveLength(2);
    expect(sheet.body.items[0].png).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(sheet.body.items[0].png.split(",")[1], "base64");
    expect((await sharp(png).metadata()).width).toBe(360);
    codeText = sheet.body.items[0].text;
    // consent is at version 2 (published above); the harness accepts version 1 and then the current one
    const g = await j.graduate();
    const start = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: g.token });
    submissionId = start.body.id;
    await j.call("POST", `/api/submissions/${submissionId}/consent`, { token: g.token, body: { version: 2 } });
    const scan = await j.call("POST", `/api/submissions/${submissionId}/capture-code/scan`, { token: g.token, body: { text: codeText } });
    expect(scan.status).toBe(200);
    expect(scan.body.rosterEntry.name).toBe("张明");
    const confirm = await j.call("POST", `/api/submissions/${submissionId}/capture-code/confirm`, { token: g.token, body: { codeToken: scan.body.codeToken } });
    expect(confirm.body.submission.state).toBe("CODE_BOUND");
    const o = await j.call("POST", `/api/submissions/${submissionId}/orders`, { token: g.token });
    await j.fake.pay.payOrder(o.body.order.outTradeNo);
    await waitFor(async () => (await j.deps.db.submission.findUniqueOrThrow({ where: { id: submissionId } })).state === "PAID");
  });

  it("customer service finds the graduate by name, unique number, phone and order number, and sees the history", async () => {
    const order = await j.deps.db.order.findFirstOrThrow({ where: { submissionId } });
    for (const q of ["张明", "2026A0000001", "13800000001", order.outTradeNo]) {
      const r = await j.call("GET", `/api/staff/graduates?q=${encodeURIComponent(q)}`, { token: service.token });
      expect(r.body.items[0], q).toMatchObject({ submissionId, uniqueNumber: "2026A0000001", state: "PAID" });
    }
    const otherSchool = await j.deps.db.school.create({ data: { code: `Z${Date.now() % 1000000}`, name: "别的大学" } });
    const other = await j.staff("CUSTOMER_SERVICE", otherSchool.id);
    expect((await j.call("GET", `/api/staff/graduates?q=${encodeURIComponent("张明")}`, { token: other.token })).body.items).toEqual([]);
    expect((await j.call("GET", `/api/staff/orders`, { token: other.token })).body.total).toBe(0);
    const h = await j.call("GET", `/api/staff/submissions/${submissionId}/history`, { token: service.token });
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ rosterEntry: { uniqueNumber: "2026A0000001", admissionPhotoStatus: "PRESENT" }, captureCodes: [{ status: "BOUND" }], orders: [{ status: "PAID", reconciliation: "MATCHED" }] });
    expect(h.body.transitions.map((t: { event: string }) => t.event)).toEqual(expect.arrayContaining(["CONSENT_ACCEPTED", "CODE_BOUND", "PAYMENT_CONFIRMED"]));
    expect(h.body.wechatUser.openidMasked).toContain("****");
    expect(h.body.rosterEntry.phone).toBe("13800000001"); // decrypted for staff
  });

  it("phone numbers stored in plaintext before the encryption migration are sealed by the backfill and still found", async () => {
    const legacy = await j.deps.db.rosterEntry.create({ data: { campaignId, uniqueNumber: `2026L${Date.now() % 1e7}`, name: "旧数据", idNumberMasked: "110***********0000", phone: "139 0000 1234", college: "旧学院", major: "旧专业", degreeLevel: "本科" } });
    const sealed = await sealPlaintextPhones(j.deps.db, j.deps.config.idEncryptionKey);
    expect(sealed).toBeGreaterThanOrEqual(1);
    const after = await j.deps.db.rosterEntry.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(after.phone).toBeNull();
    expect(decryptIdNumber(j.deps.config.idEncryptionKey, after.phoneEncrypted!)).toBe("139 0000 1234");
    expect(await sealPlaintextPhones(j.deps.db, j.deps.config.idEncryptionKey)).toBe(0); // idempotent
    const r = await j.call("GET", `/api/staff/graduates?q=${encodeURIComponent("13900001234")}`, { token: service.token });
    expect(r.body.items).toEqual([expect.objectContaining({ rosterEntryId: legacy.id, matchedBy: "phone", phone: "139 0000 1234" })]);
  });

  it("rebinding: customer service revokes the code; another account can then bind it", async () => {
    const un = await j.call("POST", `/api/staff/submissions/${submissionId}/unbind-code`, { token: service.token, body: { reason: "同学误绑了他人的采集码" } });
    expect(un.status).toBe(200);
    expect(un.body.state).toBe("CONSENTED");
    expect(await j.deps.db.captureCode.count({ where: { status: "BOUND", uniqueNumber: "2026A0000001" } })).toBe(0);
    const other = await j.graduate();
    const s = await j.call("POST", `/api/campaigns/${campaignId}/submission`, { token: other.token });
    await j.call("POST", `/api/submissions/${s.body.id}/consent`, { token: other.token, body: { version: 2 } });
    const scan = await j.call("POST", `/api/submissions/${s.body.id}/capture-code/scan`, { token: other.token, body: { text: codeText } });
    const confirm = await j.call("POST", `/api/submissions/${s.body.id}/capture-code/confirm`, { token: other.token, body: { codeToken: scan.body.codeToken } });
    expect(confirm.body.submission.state).toBe("CODE_BOUND");
    const audit = await j.call("GET", `/api/staff/audit-logs?action=capture_code.revoked`, { token: admin.token });
    expect(audit.body.items[0]).toMatchObject({ targetId: submissionId, after: { reason: "同学误绑了他人的采集码" } });
  });

  it("orders list with reconciliation, and a refund", async () => {
    const r = await j.call("GET", `/api/staff/orders?campaignId=${campaignId}`, { token: service.token });
    expect(r.body.total).toBe(1);
    expect(r.body.items[0]).toMatchObject({ status: "PAID", reconciliation: "MATCHED", reconciliationLabel: "已对账", paidFen: 1500, graduate: null });
    expect(r.body.summary).toMatchObject({ orders: 1, paidFen: 1500 });
    const refund = await j.call("POST", `/api/staff/orders/${r.body.items[0].id}/refunds`, { token: admin.token, body: { reason: "误绑他人采集码，退款", amountFen: 500 } });
    expect(refund.status).toBe(200);
    const after = await waitFor(async () => {
      const x = await j.call("GET", `/api/staff/orders?campaignId=${campaignId}`, { token: admin.token });
      return x.body.items[0].refunds.length === 1 ? x.body.items[0] : null;
    });
    expect(after.refunds[0]).toMatchObject({ amountFen: 500, reason: "误绑他人采集码，退款" });
  });
});

describe("review, export, dashboard", () => {
  it("rejection templates, the queue, approval and the export archive (names, count, 480×640, manifest)", async () => {
    // an automatic-free, school-paid campaign with one approved and one rejected graduate
    const cid = await j.campaign({ schoolPaid: true });
    await j.deps.db.campaign.update({ where: { id: cid }, data: { exportNamePattern: "{uniqueNumber}_{name}.jpg" } });
    const a = await j.rosterEntry(cid, photos.admission);
    const b = await j.rosterEntry(cid, photos.admission);
    const ga = await toPhotoStep(j, cid, a);
    const gb = await toPhotoStep(j, cid, b);
    for (const g of [ga, gb]) {
      await submitPhoto(j, g.token, g.submissionId, photos.graduation);
      const cmp = await j.call("POST", `/api/submissions/${g.submissionId}/admission-photo/confirm`, { token: g.token });
      expect(cmp.body.submission.state).toBe("REVIEWING");
    }
    const tpl = await j.call("POST", "/api/staff/rejection-reasons", { token: reviewer.token, body: { text: "背景不均匀，请在纯色背景前重新拍摄" } });
    expect(tpl.status).toBe(200);
    const edited = await j.call("PATCH", `/api/staff/rejection-reasons/${tpl.body.id}`, { token: reviewer.token, body: { text: "背景不均匀，请在浅色纯色背景前重新拍摄" } });
    expect(edited.body.text).toBe("背景不均匀，请在浅色纯色背景前重新拍摄");
    const stats = await j.call("GET", `/api/staff/campaigns/${cid}/review-stats`, { token: reviewer.token });
    expect(stats.body).toMatchObject({ waiting: 2, decidedToday: 0 });

    const first = await j.call("POST", "/api/staff/reviews/next", { token: reviewer.token, body: { campaignId: cid } });
    const other = await j.staff("REVIEWER");
    const second = await j.call("POST", "/api/staff/reviews/next", { token: other.token, body: { campaignId: cid } });
    expect(second.body.submission.id).not.toBe(first.body.submission.id);
    await j.call("POST", `/api/staff/reviews/${first.body.submission.id}`, { token: reviewer.token, body: { decision: "APPROVED" } });
    await j.call("POST", `/api/staff/reviews/${second.body.submission.id}`, { token: other.token, body: { decision: "REJECTED", reason: edited.body.text } });
    const n = await waitFor(() => j.deps.db.notification.findFirst({ where: { submissionId: second.body.submission.id } }));
    expect(n.payload).toMatchObject({ result: "审核未通过", reason: "背景不均匀，请在浅色纯色背景前重新拍摄" });

    const none = await j.call("POST", `/api/staff/campaigns/${campaignId}/exports`, { token: admin.token });
    expect(none.body.code).toBe("NOTHING_TO_EXPORT");
    // what a worker killed mid-export leaves behind (a partial archive of photos and names, 3 h old),
    // and another worker's export running on the same host right now
    const crashed = mkdtempSync(path.join(os.tmpdir(), "gradphoto-export-"));
    writeFileSync(path.join(crashed, "export.zip"), "partial archive");
    const hoursAgo = new Date(Date.now() - 3 * 3600_000);
    utimesSync(crashed, hoursAgo, hoursAgo);
    const running = mkdtempSync(path.join(os.tmpdir(), "gradphoto-export-"));
    const ex = await j.call("POST", `/api/staff/campaigns/${cid}/exports`, { token: admin.token });
    expect(ex.status).toBe(200);
    const done = await waitFor(async () => {
      const r = await j.call("GET", `/api/staff/exports/${ex.body.id}`, { token: admin.token });
      return r.body.status === "DONE" ? r.body : null;
    });
    expect(done).toMatchObject({ total: 1, done: 1 });
    expect(existsSync(crashed)).toBe(false); // swept when the next export started
    expect(existsSync(running)).toBe(true); // too young to be a leftover
    rmSync(running, { recursive: true });
    expect(new Date(done.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const link = await j.call("POST", `/api/staff/exports/${ex.body.id}/link`, { token: admin.token });
    const res = await fetch(link.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(".zip");
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const approved = first.body.submission.rosterEntry as { uniqueNumber: string; name: string };
    const name = `${approved.uniqueNumber}_${approved.name}.jpg`;
    expect(Object.keys(files).sort()).toEqual(["manifest.xlsx", `photos/${name}`, `print/${name}`].sort());
    const meta = await sharp(Buffer.from(files[`photos/${name}`]!)).metadata();
    expect([meta.width, meta.height]).toEqual([480, 640]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(files["manifest.xlsx"]!) as unknown as ArrayBuffer);
    const rows = wb.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0]!.slice(1, 4)).toEqual(["序号", "学信网唯一编号", "姓名"]);
    expect(rows[1]!.slice(2, 4)).toEqual([approved.uniqueNumber, approved.name]);
    expect(Number(rows[1]![7])).toBeGreaterThanOrEqual(80);
    expect(rows[1]![9]).toBe("REVIEWER");
    // a tampered link is refused
    expect((await fetch(link.body.url.replace(/sig=[^&]+/, "sig=x"))).status).toBe(403);

    // two staff (or a double click) starting an export at once get the same one: one archive is built
    const exportDone = (id: string) =>
      waitFor(async () => {
        const r = await j.call("GET", `/api/staff/exports/${id}`, { token: admin.token });
        return r.body.status === "DONE" ? r.body : null;
      });
    const burst = await Promise.all(Array.from({ length: 5 }, () => j.call("POST", `/api/staff/campaigns/${cid}/exports`, { token: admin.token })));
    expect(burst.map((b) => b.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(burst.map((b) => b.body.id)).size).toBe(1);
    expect(await j.deps.db.exportJob.count({ where: { campaignId: cid } })).toBe(2);
    await exportDone(burst[0]!.body.id);
    // an export whose job never reached the queue (it was down at that moment) is queued by the next
    // click, instead of waiting forever and holding back every later export
    const { requestedBy } = await j.deps.db.exportJob.findUniqueOrThrow({ where: { id: ex.body.id } });
    const stuck = await j.deps.db.exportJob.create({ data: { campaignId: cid, requestedBy, total: 1 } });
    const again = await j.call("POST", `/api/staff/campaigns/${cid}/exports`, { token: admin.token });
    expect(again.body.id).toBe(stuck.id);
    expect(await exportDone(stuck.id)).toMatchObject({ total: 1, done: 1 });
    // past its expiry the archive (every approved graduate's photo and name) is deleted by the
    // maintenance sweep, without anyone opening the export list
    const { objectKey } = await j.deps.db.exportJob.findUniqueOrThrow({ where: { id: stuck.id } });
    expect(await j.deps.storage.exists(objectKey!)).toBe(true);
    await j.deps.db.exportJob.update({ where: { id: stuck.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await purgeExpiredExports(j.deps)).toBeGreaterThanOrEqual(1);
    expect(await j.deps.storage.exists(objectKey!)).toBe(false);
    expect((await j.deps.db.exportJob.findUniqueOrThrow({ where: { id: stuck.id } })).objectKey).toBeNull();
    expect((await j.call("POST", `/api/staff/exports/${stuck.id}/link`, { token: admin.token })).status).toBeGreaterThanOrEqual(400);

    const dash = await j.call("GET", `/api/staff/campaigns/${cid}/dashboard`, { token: admin.token });
    expect(dash.status).toBe(200);
    expect(dash.body.funnel.map((f: { count: number }) => f.count)).toEqual([2, 2, 2, 2, 2, 1]);
    expect(dash.body.totals).toMatchObject({ roster: 2, approved: 1, rejected: 1, admissionPresent: 2 });
    expect(dash.body.byCollege).toEqual([{ college: "计算机学院", major: "软件工程", roster: 2, started: 2, submitted: 2, approved: 1 }]);
    expect(dash.body.scores.total).toBe(2);
    expect(dash.body.perDay.at(-1)).toMatchObject({ submitted: 2, approved: 1 });
  });
});

describe("accounts", () => {
  it("operators create, disable and reset staff accounts; a disabled account loses its session", async () => {
    const username = `cs_${Date.now().toString(36)}`;
    const created = await j.call("POST", "/api/staff/accounts", { token: operator.token, body: { username, displayName: "客服小王", role: "CUSTOMER_SERVICE", schoolId: j.schoolId, password: "first-password-1" } });
    expect(created.status).toBe(200);
    const noSchool = await j.call("POST", "/api/staff/accounts", { token: operator.token, body: { username: `${username}x`, displayName: "x", role: "REVIEWER", password: "first-password-1" } });
    expect(noSchool.body.code).toBe("SCHOOL_REQUIRED");
    const login = await j.call("POST", "/api/staff/login", { body: { username, password: "first-password-1" } });
    expect(login.status).toBe(200);
    const off = await j.call("PATCH", `/api/staff/accounts/${created.body.id}`, { token: operator.token, body: { disabled: true } });
    expect(off.body.disabled).toBe(true);
    expect((await j.call("GET", "/api/staff/me", { token: login.body.token })).status).toBe(401);
    expect((await j.call("POST", "/api/staff/login", { body: { username, password: "first-password-1" } })).status).toBe(401);
    await j.call("PATCH", `/api/staff/accounts/${created.body.id}`, { token: operator.token, body: { disabled: false, password: "second-password-2" } });
    expect((await j.call("POST", "/api/staff/login", { body: { username, password: "second-password-2" } })).status).toBe(200);
    const self = await j.call("PATCH", `/api/staff/accounts/${operator.id}`, { token: operator.token, body: { disabled: true } });
    expect(self.body.code).toBe("CANNOT_CHANGE_SELF");
    const audit = await j.call("GET", `/api/staff/audit-logs?targetId=${created.body.id}`, { token: operator.token });
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(["staff.created", "staff.disabled", "staff.password_reset"]));
    // school admins see only their school's log
    const other = await j.call("GET", `/api/staff/audit-logs?schoolId=${(await j.deps.db.school.create({ data: { code: `W${Date.now() % 1000000}`, name: "W大学" } })).id}`, { token: admin.token });
    expect(other.status).toBe(403);
  });
});
