import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { unzipSync } from "fflate";
import { Prisma, type Db } from "@gradphoto/db";
import { isValidIdNumber, maskIdNumber } from "@gradphoto/domain";
import { ROSTER_FIELDS, ROSTER_HEADERS, ROSTER_REQUIRED, type RosterField, type RosterReport } from "@gradphoto/contracts";
import type { AppDeps } from "../../context.js";
import { decryptIdNumber, encryptIdNumber, phoneOf, phoneSearchHash } from "../../lib/id-crypto.js";
import { AppError } from "../../lib/errors.js";
import { audit } from "../../lib/audit.js";

/** Largest roster file accepted (a 10,000-row XLSX is about 0.5 MB). */
export const MAX_ROSTER_BYTES = 20 * 1024 * 1024;
export const MAX_ROSTER_ROWS = 50_000;
const PREVIEW_ROWS = 20;
const MAX_ISSUES = 2000;
const CHUNK = 500;

export const FIELD_LABELS: Record<RosterField, string> = {
  uniqueNumber: "学信网唯一编号",
  name: "姓名",
  idNumber: "身份证号",
  phone: "手机号",
  college: "学院",
  major: "专业",
  degreeLevel: "学历层次",
};

interface Cell {
  text: string;
  /** the cell held a number too long to be exact (Excel keeps 15 significant digits) */
  lossy?: boolean;
}

export interface ParsedSheet {
  columns: Array<{ field: RosterField; header: string; index: number }>;
  missing: RosterField[];
  rows: Array<{ row: number; cells: Partial<Record<RosterField, Cell>> }>;
}

const normHeader = (s: string) => s.replace(/[\s*＊:：()（）]|必填|选填/g, "").toLowerCase();
const HEADER_LOOKUP = new Map<string, RosterField>();
for (const f of ROSTER_FIELDS) for (const h of ROSTER_HEADERS[f]) HEADER_LOOKUP.set(normHeader(h), f);

function cellOf(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return { text: "" };
  if (typeof v === "string") return { text: v.trim() };
  // Excel keeps 15 significant digits: a number of 16 or more digits (a 学信网 unique number typed as a
  // number) may have lost its last ones even when it is still a safe integer
  if (typeof v === "number") return Math.abs(v) >= 1e15 ? { text: String(v), lossy: true } : { text: String(v) };
  if (typeof v === "boolean") return { text: String(v) };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10) };
  if (typeof v === "object") {
    if ("richText" in v && Array.isArray(v.richText)) return { text: v.richText.map((r) => r.text).join("").trim() };
    if ("formula" in v || "sharedFormula" in v) return cellOf((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ("text" in v && typeof v.text === "string") return { text: v.text.trim() };
    if ("error" in v) return { text: "" };
  }
  return { text: String(v).trim() };
}

/** CSV text: UTF-8 (with or without BOM), else GB18030 as saved by Excel on Chinese Windows. */
function decodeCsv(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder("gb18030").decode(bytes);
  }
  return text.replace(/^\uFEFF/, "");
}

/** What an XLSX may unpack to: a 50,000-row roster is ≈ 30–60 MB of sheet XML. */
const MAX_XLSX_UNPACKED = 200 * 1024 * 1024;

/**
 * An XLSX is a ZIP that ExcelJS unpacks whole in memory: its central directory (read without
 * inflating anything) must declare a size a roster can have, or the file is refused before loading.
 */
function assertWorkbookSize(bytes: Buffer): void {
  let total = 0;
  let entries = 0;
  try {
    unzipSync(bytes, {
      filter: (f) => {
        total += f.originalSize;
        entries++;
        return false;
      },
    });
  } catch {
    throw new AppError(422, "ROSTER_UNREADABLE", "无法读取该文件，请上传 .xlsx 或 .csv 格式的名单");
  }
  if (total > MAX_XLSX_UNPACKED || entries > 10_000) throw new AppError(422, "ROSTER_TOO_LARGE", `文件解压后过大，单个文件最多 ${MAX_ROSTER_ROWS} 行，请只保留名单所在的工作表并拆分后上传`);
}

/** Reads the first worksheet of an XLSX, or a CSV; finds the header row among the first 10 rows. */
export async function parseRosterFile(bytes: Buffer, fileName: string): Promise<ParsedSheet> {
  const wb = new ExcelJS.Workbook();
  let ws: ExcelJS.Worksheet | undefined;
  const isZip = bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  const isOle = bytes.length > 8 && bytes.readUInt32BE(0) === 0xd0cf11e0;
  if (isOle || /\.xls$/i.test(fileName)) throw new AppError(422, "ROSTER_FORMAT", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv 后上传");
  try {
    if (isZip) {
      assertWorkbookSize(bytes);
      await wb.xlsx.load(bytes as unknown as ArrayBuffer);
      ws = wb.worksheets.find((w) => w.actualRowCount > 0) ?? wb.worksheets[0];
    } else {
      const text = decodeCsv(bytes);
      const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
      const delimiter = firstLine.includes("\t") && !firstLine.includes(",") ? "\t" : firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
      // map keeps every value a string: unique and ID numbers must not become numbers.
      ws = await wb.csv.read(Readable.from([text]), { map: (v: unknown) => v, parserOptions: { delimiter } } as never);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError(422, "ROSTER_UNREADABLE", "无法读取该文件，请上传 .xlsx 或 .csv 格式的名单");
  }
  if (!ws) throw new AppError(422, "ROSTER_EMPTY", "文件中没有工作表");
  if (ws.actualRowCount > MAX_ROSTER_ROWS + 10) throw new AppError(422, "ROSTER_TOO_LARGE", `单个文件最多 ${MAX_ROSTER_ROWS} 行，请拆分后上传`);

  // Header: the row (of the first 10) that names the most known columns.
  let headerRow = 0;
  let best: ParsedSheet["columns"] = [];
  for (let r = 1; r <= Math.min(10, ws.rowCount); r++) {
    const cols: ParsedSheet["columns"] = [];
    const seen = new Set<RosterField>();
    ws.getRow(r).eachCell({ includeEmpty: false }, (cell, col) => {
      const header = cellOf(cell.value).text;
      const f = HEADER_LOOKUP.get(normHeader(header));
      if (f && !seen.has(f)) {
        seen.add(f);
        cols.push({ field: f, header, index: col });
      }
    });
    if (cols.length > best.length) {
      best = cols;
      headerRow = r;
    }
  }
  if (best.length < 3) throw new AppError(422, "ROSTER_NO_HEADER", "未找到表头：第一行应为“学信网唯一编号、姓名、身份证号、手机号、学院、专业、学历层次”等列名");
  const missing = ROSTER_REQUIRED.filter((f) => !best.some((c) => c.field === f));
  const rows: ParsedSheet["rows"] = [];
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (!row.hasValues) continue;
    const cells: Partial<Record<RosterField, Cell>> = {};
    let any = false;
    for (const c of best) {
      const cell = cellOf(row.getCell(c.index).value);
      if (cell.text) any = true;
      cells[c.field] = cell;
    }
    if (any) rows.push({ row: r, cells });
  }
  return { columns: best, missing, rows };
}

export interface ExistingEntry {
  name: string;
  idNumberMasked: string;
  idNumberEncrypted: Uint8Array | null;
  phone: string | null;
  college: string;
  major: string;
  degreeLevel: string;
}

export interface ValidRow {
  row: number;
  uniqueNumber: string;
  name: string;
  idMasked: string;
  /** the full ID number, when the file has one (stored encrypted only) */
  idFull: string | null;
  phone: string | null;
  college: string;
  major: string;
  degreeLevel: string;
  action: "NEW" | "UPDATE" | "UNCHANGED" | "INVALID";
  errors: string[];
}

const UNIQUE_RE = /^[0-9A-Za-z]{6,40}$/;
const MASKED_ID_RE = /^[0-9]{1,6}\*{4,14}[0-9]{0,4}[0-9Xx]$/;
const PHONE_RE = /^(\+?86[- ]?)?1[3-9]\d{9}$|^[0-9][0-9\- ]{5,19}$/;

export async function loadExisting(db: Db, campaignId: string, key: Buffer): Promise<Map<string, ExistingEntry>> {
  const rows = await db.rosterEntry.findMany({
    where: { campaignId },
    select: { uniqueNumber: true, name: true, idNumberMasked: true, idNumberEncrypted: true, phone: true, phoneEncrypted: true, college: true, major: true, degreeLevel: true },
  });
  return new Map(rows.map(({ phoneEncrypted, ...r }) => [r.uniqueNumber, { ...r, phone: phoneOf(key, { phone: r.phone, phoneEncrypted }) }]));
}

/** "第 2、5、9 行", or the first rows and a count when a number repeats many times (a filled-down column). */
function duplicateRows(rows: number[]): string {
  const SHOWN = 5;
  return rows.length <= SHOWN ? `第 ${rows.join("、")} 行` : `第 ${rows.slice(0, SHOWN).join("、")} 等共 ${rows.length} 行`;
}

/** Row-by-row validation: missing fields, malformed values, duplicate unique numbers; and what an import would do. */
export function validateRoster(sheet: ParsedSheet, existing: Map<string, ExistingEntry>, key: Buffer): ValidRow[] {
  const hasPhone = sheet.columns.some((c) => c.field === "phone");
  const firstRows = new Map<string, number[]>();
  for (const r of sheet.rows) {
    const u = r.cells.uniqueNumber?.text;
    if (!u) continue;
    const at = firstRows.get(u);
    if (at) at.push(r.row);
    else firstRows.set(u, [r.row]);
  }
  return sheet.rows.map(({ row, cells }) => {
    const errors: string[] = [];
    const get = (f: RosterField) => cells[f]?.text ?? "";
    for (const f of ROSTER_REQUIRED) {
      if (sheet.missing.includes(f)) continue;
      if (!get(f)) errors.push(`${FIELD_LABELS[f]}为空`);
    }
    for (const f of ROSTER_FIELDS) if (cells[f]?.lossy) errors.push(`${FIELD_LABELS[f]}被 Excel 存成了数字，末几位可能已丢失，请将该列设为文本格式后重新导出`);
    // Kept exactly as written: it must equal the number in the graduate's 采集码.
    const uniqueNumber = get("uniqueNumber");
    if (uniqueNumber && !UNIQUE_RE.test(uniqueNumber)) errors.push("学信网唯一编号应为6-40位字母或数字");
    const dup = uniqueNumber ? firstRows.get(uniqueNumber) : undefined;
    if (dup && dup.length > 1) errors.push(`学信网唯一编号在文件中重复（${duplicateRows(dup)}）`);
    const rawId = get("idNumber").replace(/\s/g, "").toUpperCase();
    let idFull: string | null = null;
    let idMasked = "";
    if (rawId) {
      if (isValidIdNumber(rawId)) {
        idFull = rawId;
        idMasked = maskIdNumber(rawId);
      } else if (MASKED_ID_RE.test(rawId) && rawId.length >= 15 && rawId.length <= 18) {
        idMasked = rawId;
      } else if (/^\d{17}[\dX]$/.test(rawId)) {
        errors.push("身份证号校验位错误，请核对");
      } else {
        errors.push("身份证号格式错误（应为18位，最后一位可以是X）");
      }
    }
    const phone = get("phone").replace(/\s/g, "") || null;
    if (phone && !PHONE_RE.test(phone)) errors.push("手机号格式错误");
    for (const f of ["name", "college", "major", "degreeLevel"] as const) if (get(f).length > 64) errors.push(`${FIELD_LABELS[f]}过长（最多64个字符）`);
    const v: ValidRow = {
      row,
      uniqueNumber,
      name: get("name"),
      idMasked,
      idFull,
      phone,
      college: get("college"),
      major: get("major"),
      degreeLevel: get("degreeLevel"),
      action: "INVALID",
      errors,
    };
    if (errors.length === 0) {
      const cur = existing.get(uniqueNumber);
      if (!cur) v.action = "NEW";
      else {
        const same =
          cur.name === v.name &&
          cur.idNumberMasked === v.idMasked &&
          cur.college === v.college &&
          cur.major === v.major &&
          cur.degreeLevel === v.degreeLevel &&
          (!hasPhone || cur.phone === v.phone) &&
          (!v.idFull || (cur.idNumberEncrypted !== null && safeDecrypt(key, cur.idNumberEncrypted) === v.idFull));
        v.action = same ? "UNCHANGED" : "UPDATE";
      }
    }
    return v;
  });
}

function safeDecrypt(key: Buffer, blob: Uint8Array): string | null {
  try {
    return decryptIdNumber(key, blob);
  } catch {
    return null;
  }
}

export function buildReport(fileName: string, sheet: ParsedSheet, rows: ValidRow[]): RosterReport {
  const issues: RosterReport["issues"] = [];
  let issueCount = 0;
  for (const f of sheet.missing) {
    issueCount++;
    issues.push({ row: 1, uniqueNumber: null, field: f, message: `缺少必填列“${FIELD_LABELS[f]}”` });
  }
  for (const r of rows) {
    for (const m of r.errors) {
      issueCount++;
      if (issues.length < MAX_ISSUES) issues.push({ row: r.row, uniqueNumber: r.uniqueNumber || null, field: "", message: m });
    }
  }
  const count = (a: ValidRow["action"]) => rows.filter((r) => r.action === a).length;
  return {
    kind: "ROSTER",
    fileName,
    columns: sheet.columns.map((c) => ({ field: c.field, header: c.header })),
    missingColumns: sheet.missing.map((f) => FIELD_LABELS[f]),
    totalRows: rows.length,
    validRows: rows.length - count("INVALID"),
    invalidRows: count("INVALID"),
    newRows: count("NEW"),
    updatedRows: count("UPDATE"),
    unchangedRows: count("UNCHANGED"),
    preview: rows.slice(0, PREVIEW_ROWS).map((r) => ({
      row: r.row,
      uniqueNumber: r.uniqueNumber,
      name: r.name,
      idNumberMasked: r.idMasked,
      phone: r.phone,
      college: r.college,
      major: r.major,
      degreeLevel: r.degreeLevel,
      action: r.action,
      errors: r.errors,
    })),
    issues,
    issueCount,
    applied: null,
    error: null,
  };
}

/**
 * Applies a validated roster import (background job): re-reads the stored file, re-validates against
 * the current roster, and upserts the valid rows in batches on (campaign, unique number), so a re-import
 * updates rows instead of duplicating them. Progress is written to RosterImport.done/total.
 */
export async function applyRosterImport(deps: AppDeps, importId: string, opts: { lastAttempt?: boolean } = {}): Promise<void> {
  const { db, storage, config } = deps;
  const imp = await db.rosterImport.findUnique({ where: { id: importId } });
  if (!imp || imp.kind !== "ROSTER" || imp.status === "DONE" || imp.status === "FAILED") return;
  const started = Date.now();
  const report = imp.report as unknown as RosterReport;
  // rows already written by committed chunks, reported if the import fails part-way
  let inserted = 0;
  let updated = 0;
  const { schoolId } = await db.campaign.findUniqueOrThrow({ where: { id: imp.campaignId }, select: { schoolId: true } });
  try {
    await db.rosterImport.update({ where: { id: imp.id }, data: { status: "RUNNING" } });
    const sheet = await parseRosterFile(await storage.get(imp.objectKey), report.fileName);
    const existing = await loadExisting(db, imp.campaignId, config.idEncryptionKey);
    const rows = validateRoster(sheet, existing, config.idEncryptionKey);
    const todo = rows.filter((r) => r.action === "NEW" || r.action === "UPDATE");
    const hasPhone = sheet.columns.some((c) => c.field === "phone");
    await db.rosterImport.update({ where: { id: imp.id }, data: { total: todo.length, done: 0 } });
    for (let i = 0; i < todo.length; i += CHUNK) {
      const chunk = todo.slice(i, i + CHUNK);
      const values = chunk.map(
        (r) =>
          Prisma.sql`(${randomUUID()}::uuid, ${imp.campaignId}::uuid, ${r.uniqueNumber}, ${r.name}, ${r.idMasked}, ${r.idFull ? encryptIdNumber(config.idEncryptionKey, r.idFull) : null}::bytea, ${r.phone ? encryptIdNumber(config.idEncryptionKey, r.phone) : null}::bytea, ${r.phone ? phoneSearchHash(config.idEncryptionKey, r.phone) : null}, ${r.college}, ${r.major}, ${r.degreeLevel}, now(), now())`,
      );
      // Phones only encrypted (with a keyed hash for search); a file without the column keeps the stored one.
      const phoneSql = hasPhone
        ? Prisma.sql`"phone" = NULL, "phone_encrypted" = EXCLUDED."phone_encrypted", "phone_hash" = EXCLUDED."phone_hash"`
        : Prisma.sql`"phone_encrypted" = "roster_entries"."phone_encrypted"`;
      const res = await db.$queryRaw<Array<{ inserted: boolean; id: string; unique_number: string }>>`
        INSERT INTO "roster_entries" ("id", "campaign_id", "unique_number", "name", "id_number_masked", "id_number_encrypted", "phone_encrypted", "phone_hash", "college", "major", "degree_level", "created_at", "updated_at")
        VALUES ${Prisma.join(values)}
        ON CONFLICT ("campaign_id", "unique_number") DO UPDATE SET
          "name" = EXCLUDED."name",
          "id_number_masked" = EXCLUDED."id_number_masked",
          "id_number_encrypted" = COALESCE(EXCLUDED."id_number_encrypted", "roster_entries"."id_number_encrypted"),
          ${phoneSql},
          "college" = EXCLUDED."college",
          "major" = EXCLUDED."major",
          "degree_level" = EXCLUDED."degree_level",
          "updated_at" = now()
        RETURNING (xmax = 0) AS inserted, "id", "unique_number"`;
      for (const r of res) r.inserted ? inserted++ : updated++;
      // a re-import may rename a graduate or change their ID number: each changed entry is logged with
      // what it held before (masked ID only), after its chunk committed
      const ids = new Map(res.map((x) => [x.unique_number, x.id]));
      const changes = chunk.flatMap((r) => {
        const was = r.action === "UPDATE" ? existing.get(r.uniqueNumber) : undefined;
        const id = ids.get(r.uniqueNumber);
        if (!was || !id) return [];
        const before = { name: was.name, idNumberMasked: was.idNumberMasked, college: was.college, major: was.major, degreeLevel: was.degreeLevel };
        const after = { name: r.name, idNumberMasked: r.idMasked, college: r.college, major: r.major, degreeLevel: r.degreeLevel };
        return [{ actorType: "STAFF" as const, actorId: imp.requestedBy, schoolId, action: "roster.entry_updated", targetType: "roster_entry", targetId: id, before, after: { ...after, import: imp.id } }];
      });
      if (changes.length) await db.auditLog.createMany({ data: changes });
      await db.rosterImport.update({ where: { id: imp.id }, data: { done: Math.min(todo.length, i + chunk.length) } });
    }
    const final: RosterReport = {
      ...buildReport(report.fileName, sheet, rows),
      applied: { inserted, updated, skipped: rows.length - todo.length, ms: Date.now() - started },
    };
    await db.rosterImport.update({ where: { id: imp.id }, data: { status: "DONE", done: todo.length, report: final as object } });
    await audit(db, { actorType: "STAFF", actorId: imp.requestedBy, schoolId, action: "roster.imported", targetType: "roster_import", targetId: imp.id, after: { inserted, updated, skipped: final.applied!.skipped, file: report.fileName } });
  } catch (e) {
    // A bad file fails for good; anything else is retried by the queue (the upsert is idempotent).
    if (e instanceof AppError || opts.lastAttempt) {
      // chunks commit one by one: say how many rows are already in, and that the same file completes them
      const partial = inserted + updated > 0;
      const error = e instanceof AppError ? e.message : partial ? `导入中断：已写入 ${inserted + updated} 行，请重新上传同一文件补全（重复导入不会产生重复记录）` : "导入失败，请重新上传";
      await db.rosterImport.update({
        where: { id: imp.id },
        data: { status: "FAILED", report: { ...report, error, ...(partial ? { applied: { inserted, updated, skipped: 0, ms: Date.now() - started } } : {}) } as object },
      });
      // the rows a failed import did write are in the log too
      await audit(db, { actorType: "STAFF", actorId: imp.requestedBy, schoolId, action: "roster.import_failed", targetType: "roster_import", targetId: imp.id, after: { inserted, updated, file: report.fileName, error } });
      if (e instanceof AppError) return;
    }
    throw e;
  }
}
