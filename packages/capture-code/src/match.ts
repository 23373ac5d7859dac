import type { Db, Prisma } from "@gradphoto/db";
import { z } from "zod";
import { ERROR_MESSAGES } from "./errors.js";
import { sha256Hex } from "./redact.js";
import { CaptureCodeFieldsSchema, type CaptureCodeFields } from "./providers/types.js";

/** Prisma client or an interactive-transaction client. */
export type DbClient = Db | Prisma.TransactionClient;

/** The school notice's wording (南开大学 2024 补采通知, 附件 1) is kept verbatim where it exists. */
export const NOTICE_SCHOOL_MISMATCH =
  "如因学籍异动造成图像采集码上的学校名称(院校代码)不一致，可到学校学籍部门修改更新学信网信息后，再重新下载图像采集码";
export const NOTICE_NOT_GRADUATE = "非应届毕业生学信网不会生成采集码";

export type MatchFailureCode =
  | "CODE_UNREADABLE"
  | "CAMPAIGN_NOT_FOUND"
  | "CAMPAIGN_CLOSED"
  | "SCHOOL_MISMATCH"
  | "NOT_ELIGIBLE"
  | "CODE_ALREADY_BOUND"
  | "ACCOUNT_HAS_OTHER_CODE";

export interface MatchedRosterEntry {
  id: string;
  uniqueNumber: string;
  name: string;
  idNumberMasked: string;
  college: string;
  major: string;
  degreeLevel: string;
}

export type MatchResult =
  | {
      ok: true;
      code: "MATCHED";
      campaignId: string;
      rosterEntry: MatchedRosterEntry;
      /** A BOUND code of this graduate already held by the same WeChat user, if any. */
      boundToSelf: { id: string; rawSha256: string } | null;
      /** Masked name / ID on the code agree with the roster (advisory; the unique number decides). */
      consistent: { name: boolean; idNumber: boolean };
    }
  | { ok: false; code: MatchFailureCode; message: string };

export const MatchInputSchema = z.object({
  campaignId: z.uuid(),
  /** Provider output; null/undefined when the image could not be read or decoded. */
  fields: CaptureCodeFieldsSchema.nullish(),
  wechatUserId: z.uuid(),
  now: z.date().optional(),
});
export type MatchInput = z.input<typeof MatchInputSchema>;

const SHANGHAI = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "long",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

function fail(code: MatchFailureCode, message: string): MatchResult {
  return { ok: false, code, message };
}

/** Whether a masked value (with `*`) is consistent with a full value: same length, same visible characters. */
export function maskedConsistent(masked: string, full: string): boolean {
  const m = [...masked.trim()];
  const f = [...full.trim()];
  if (full.includes("*")) {
    // Roster values may be masked too: compare the characters visible in both.
    return m.length === f.length && m.every((c, i) => c === "*" || f[i] === "*" || c.toUpperCase() === f[i]!.toUpperCase());
  }
  return m.length === f.length && m.every((c, i) => c === "*" || c.toUpperCase() === f[i]!.toUpperCase());
}

async function evaluate(db: DbClient, input: z.output<typeof MatchInputSchema>, lock: boolean): Promise<MatchResult> {
  const now = input.now ?? new Date();
  const fields = input.fields;
  if (!fields) return fail("CODE_UNREADABLE", ERROR_MESSAGES.CODE_UNREADABLE);

  const campaign = await db.campaign.findUnique({ where: { id: input.campaignId }, include: { school: true } });
  if (!campaign) return fail("CAMPAIGN_NOT_FOUND", "未找到本次图像采集活动，请从学校发布的入口重新进入。");
  const service = `${campaign.customerServicePhone}（${campaign.customerServiceHours}）`;

  if (campaign.status !== "OPEN" || now < campaign.opensAt || now >= campaign.closesAt) {
    return fail(
      "CAMPAIGN_CLOSED",
      `本次图像采集不在开放时间内（采集时间：${SHANGHAI.format(campaign.opensAt)} 至 ${SHANGHAI.format(campaign.closesAt)}），请在规定时间内上传。如有疑问请联系客服：${service}。`,
    );
  }

  if (fields.schoolCode !== campaign.school.code) {
    return fail(
      "SCHOOL_MISMATCH",
      `采集码上的学校（${fields.schoolName}，院校代码 ${fields.schoolCode}）与本次采集的学校（${campaign.school.name}，院校代码 ${campaign.school.code}）不一致。${NOTICE_SCHOOL_MISMATCH}。`,
    );
  }

  const entry = await db.rosterEntry.findUnique({
    where: { campaignId_uniqueNumber: { campaignId: campaign.id, uniqueNumber: fields.uniqueNumber } },
  });
  if (!entry || entry.status !== "ELIGIBLE") {
    return fail(
      "NOT_ELIGIBLE",
      `未在本次采集名单中找到您的学籍信息。${NOTICE_NOT_GRADUATE}，请勿提前上传；如有疑问请联系学校学籍部门：${campaign.registrarContact}。`,
    );
  }

  if (lock) {
    // Serialise concurrent bindings of this graduate, and of this WeChat user.
    await db.$queryRaw`SELECT id FROM roster_entries WHERE id = ${entry.id}::uuid FOR UPDATE`;
    await db.$queryRaw`SELECT id FROM wechat_users WHERE id = ${input.wechatUserId}::uuid FOR UPDATE`;
  }

  const bound = await db.captureCode.findMany({
    where: { rosterEntryId: entry.id, status: "BOUND" },
    select: { id: true, wechatUserId: true, rawSha256: true },
    orderBy: { boundAt: "desc" },
  });
  if (bound.some((b) => b.wechatUserId !== input.wechatUserId)) {
    return fail(
      "CODE_ALREADY_BOUND",
      `该采集码已绑定其他微信账号。一个学籍只能对应一个采集码，如需更换绑定的微信账号，请联系客服：${service}。`,
    );
  }

  const other = await db.captureCode.findFirst({
    where: { wechatUserId: input.wechatUserId, status: "BOUND", rosterEntryId: { not: entry.id }, rosterEntry: { campaignId: campaign.id } },
    select: { id: true },
  });
  if (other) {
    return fail(
      "ACCOUNT_HAS_OTHER_CODE",
      `您的微信账号在本次采集中已绑定其他学生的采集码，一个微信账号只能为一名毕业生采集。如需更改请联系客服：${service}。`,
    );
  }

  const self = bound[0];
  return {
    ok: true,
    code: "MATCHED",
    campaignId: campaign.id,
    rosterEntry: {
      id: entry.id,
      uniqueNumber: entry.uniqueNumber,
      name: entry.name,
      idNumberMasked: entry.idNumberMasked,
      college: entry.college,
      major: entry.major,
      degreeLevel: entry.degreeLevel,
    },
    boundToSelf: self ? { id: self.id, rawSha256: self.rawSha256 } : null,
    consistent: {
      name: maskedConsistent(fields.maskedName, entry.name),
      idNumber: maskedConsistent(fields.maskedIdNumber, entry.idNumberMasked),
    },
  };
}

/**
 * Match decoded 采集码 fields to the campaign's roster: the API calls this after decoding to show
 * the graduate their data (or a clear reason why not). Read-only.
 */
export async function matchCaptureCode(db: DbClient, input: MatchInput): Promise<MatchResult> {
  return evaluate(db, MatchInputSchema.parse(input), false);
}

export const BindInputSchema = MatchInputSchema.extend({
  fields: CaptureCodeFieldsSchema,
  /** The QR text exactly as decoded; stored, never logged in full. */
  rawText: z.string().min(1).max(8192),
  /** Provider name, e.g. "demo" or "http". */
  provider: z.string().min(1).max(32),
});
export type BindInput = z.input<typeof BindInputSchema>;

export type BindResult =
  | {
      ok: true;
      code: "BOUND";
      captureCodeId: string;
      rosterEntryId: string;
      /** false when the same code was already bound to this user (idempotent repeat) */
      created: boolean;
      /** an earlier code of this graduate held by the same user was revoked and replaced */
      replaced: boolean;
    }
  | Extract<MatchResult, { ok: false }>;

/**
 * Bind a decoded code to the WeChat user in one transaction: the roster entry is locked, matching
 * is re-checked, and a graduate bound to another WeChat user is refused (`CODE_ALREADY_BOUND`;
 * rebinding is for customer service). The same code again is a no-op; a newer code of the same
 * graduate from the same user (re-downloaded after a 学籍 change) replaces the old one.
 */
export async function bindCaptureCode(db: Db, input: BindInput): Promise<BindResult> {
  const parsed = BindInputSchema.parse(input);
  const rawSha256 = sha256Hex(parsed.rawText);
  const now = parsed.now ?? new Date();
  return db.$transaction(async (tx) => {
    const m = await evaluate(tx, parsed, true);
    if (!m.ok) return m;
    if (m.boundToSelf?.rawSha256 === rawSha256) {
      return { ok: true, code: "BOUND", captureCodeId: m.boundToSelf.id, rosterEntryId: m.rosterEntry.id, created: false, replaced: false };
    }
    let replaced = false;
    if (m.boundToSelf) {
      await tx.captureCode.updateMany({
        where: { rosterEntryId: m.rosterEntry.id, wechatUserId: parsed.wechatUserId, status: "BOUND" },
        data: { status: "REVOKED", revokedAt: now },
      });
      replaced = true;
    }
    const row = await tx.captureCode.create({
      data: {
        rawText: parsed.rawText,
        rawSha256,
        provider: parsed.provider,
        decodedFields: parsed.fields as Prisma.InputJsonValue,
        uniqueNumber: parsed.fields.uniqueNumber,
        rosterEntryId: m.rosterEntry.id,
        wechatUserId: parsed.wechatUserId,
        status: "BOUND",
        boundAt: now,
      },
      select: { id: true },
    });
    return { ok: true, code: "BOUND", captureCodeId: row.id, rosterEntryId: m.rosterEntry.id, created: true, replaced };
  });
}
