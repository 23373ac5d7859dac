import { hash } from "@node-rs/argon2";
import type { Db } from "@gradphoto/db";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { devDemoKey, issueDemoCode, renderCodePng } from "@gradphoto/capture-code";
import { maskIdNumber, maskName } from "@gradphoto/domain";
import type { ObjectStorage } from "@gradphoto/storage";
import { STUDIO_ATTRIBUTION, verifiedDemoPairs } from "./demo-photos.js";

export const DEMO_SCHOOL_CODE = "10999";
export const DEMO_PASSWORD = "gradphoto-demo";
/** Demo graduates with an admission photo and a photo to take (the others show a missing admission photo). */
export const DEMO_WITH_PHOTOS = 8;

export const DEMO_CONSENT = `温馨提示
1. 本次采集的照片将用于学信网学历/学位证书电子注册，须与录取照片为同一人。
2. 请确认采集码信息为本人信息，采集码与学籍一一对应，请勿替他人采集。
3. 照片须为近期正面免冠彩色头像，不得化妆、美颜或使用滤镜，不得佩戴饰品和有色眼镜。
4. 标准化（裁剪换背景）每天最多3次；审核未通过可免费重拍2次。
5. 您的照片和身份信息仅用于本次采集和学历注册，按学校规定保存，不作他用。`;

const COLLEGES = [
  ["计算机学院", "计算机科学与技术"],
  ["计算机学院", "软件工程"],
  ["经济管理学院", "会计学"],
  ["外国语学院", "英语"],
  ["机械工程学院", "机械设计制造及其自动化"],
] as const;
const NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴敏", "徐超", "孙悦"];

/** A demo school with an open campaign, a small roster and one account per staff role. Idempotent. */
export interface SeedOptions {
  now?: Date;
  /** stores demo admission photos (from the dev set, when present) */
  storage?: ObjectStorage;
  /** ../shared/testdata/faces-studio; demo photos come from it in development, never from the repo */
  studioDir?: string;
  /** writes printable demo 采集码 PNGs here */
  codesDir?: string;
}

export async function seedDemo(db: Db, opts: SeedOptions = {}): Promise<{ schoolId: string; campaignId: string; staff: Array<{ username: string; role: string }>; codes: Array<{ uniqueNumber: string; name: string; file?: string; graduationPhoto?: string }> }> {
  const now = opts.now ?? new Date();
  const school = await db.school.upsert({
    where: { code: DEMO_SCHOOL_CODE },
    update: {},
    create: { code: DEMO_SCHOOL_CODE, name: "示范大学" },
  });
  let campaign = await db.campaign.findFirst({ where: { schoolId: school.id, name: "2026届毕业生学历照片补采" } });
  if (!campaign) {
    campaign = await db.campaign.create({
      data: {
        schoolId: school.id,
        name: "2026届毕业生学历照片补采",
        cohort: "2026届",
        status: "OPEN",
        opensAt: new Date(now.getTime() - 24 * 3600_000),
        closesAt: new Date(now.getTime() + 60 * 24 * 3600_000),
        feeFen: 2000,
        photoSpec: { output: { background: "blue", minKb: 20, maxKb: 40 } },
        customerServicePhone: "400-000-0000",
        customerServiceHours: "工作日 9:00-17:30",
        registrarContact: "学籍管理科 010-00000000（行政楼201）",
        paymentContact: "pay-support@example.edu.cn",
        consentVersion: 1,
        notifyTemplates: { reviewPassed: "tpl-review-passed", reviewRejected: "tpl-review-rejected" },
        consentTexts: { create: { version: 1, text: DEMO_CONSENT } },
      },
    });
  }
  const codes: Array<{ uniqueNumber: string; name: string; file?: string; graduationPhoto?: string }> = [];
  if (opts.codesDir) mkdirSync(opts.codesDir, { recursive: true });
  const uniqueOf = (i: number) => `2026${DEMO_SCHOOL_CODE}${String(i + 1).padStart(6, "0")}`;
  const photoFile = (i: number) => (opts.codesDir ? path.join(opts.codesDir, `${uniqueOf(i)}-photo.jpg`) : null);
  // The first DEMO_WITH_PHOTOS graduates get an admission photo and a photo to take that pass the real
  // pipeline (verified once, when the database or the demo folder is new); the rest have none (缺录取照片).
  const existing = await db.rosterEntry.findMany({ where: { campaignId: campaign.id }, select: { uniqueNumber: true, admissionPhotoKey: true } });
  const ready = Array.from({ length: DEMO_WITH_PHOTOS }, (_, i) => i).every((i) => existing.some((e) => e.uniqueNumber === uniqueOf(i) && e.admissionPhotoKey) && (!photoFile(i) || existsSync(photoFile(i)!)));
  const pairs = !ready && opts.studioDir && opts.storage ? await verifiedDemoPairs(opts.studioDir, DEMO_WITH_PHOTOS, campaign.photoSpec) : [];
  if (pairs.length && opts.codesDir) writeFileSync(path.join(opts.codesDir, "ATTRIBUTION.txt"), `${STUDIO_ATTRIBUTION}\n`);
  for (let i = 0; i < 12; i++) {
    const [college, major] = COLLEGES[i % COLLEGES.length]!;
    const uniqueNumber = uniqueOf(i);
    const idNumber = `11010120000101${String(1000 + i).slice(-4)}`;
    const pair = pairs[i];
    let admissionPhotoKey: string | null = null;
    if (pair && opts.storage) {
      admissionPhotoKey = `admission/${campaign.id}/${uniqueNumber}.jpg`;
      await opts.storage.put(admissionPhotoKey, pair.admission, { contentType: "image/jpeg" });
      if (photoFile(i)) writeFileSync(photoFile(i)!, pair.graduation);
    }
    await db.rosterEntry.upsert({
      where: { campaignId_uniqueNumber: { campaignId: campaign.id, uniqueNumber } },
      update: admissionPhotoKey ? { admissionPhotoKey, admissionPhotoStatus: "PRESENT" } : {},
      create: {
        campaignId: campaign.id,
        uniqueNumber,
        name: NAMES[i]!,
        idNumberMasked: maskIdNumber(idNumber),
        college,
        major,
        degreeLevel: "本科",
        admissionPhotoKey,
        admissionPhotoStatus: admissionPhotoKey ? "PRESENT" : "MISSING",
      },
    });
    const text = issueDemoCode(
      { uniqueNumber, maskedName: maskName(NAMES[i]!), maskedIdNumber: maskIdNumber(idNumber), schoolCode: DEMO_SCHOOL_CODE, schoolName: "示范大学", degreeLevel: "本科" },
      devDemoKey(),
    );
    let file: string | undefined;
    if (opts.codesDir) {
      file = path.join(opts.codesDir, `${uniqueNumber}.png`);
      writeFileSync(file, await renderCodePng(text));
      writeFileSync(path.join(opts.codesDir, `${uniqueNumber}.txt`), text);
    }
    const suggested = i < DEMO_WITH_PHOTOS && photoFile(i) && existsSync(photoFile(i)!) && (pair || ready) ? photoFile(i)! : undefined;
    codes.push({ uniqueNumber, name: NAMES[i]!, file, graduationPhoto: suggested });
  }
  const reasons = ["照片背景不符合要求", "照片模糊或光线不均", "着装颜色与背景相近", "佩戴饰品或有色眼镜", "与录取照片差异较大，请重新拍摄"];
  if ((await db.rejectionReasonTemplate.count({ where: { schoolId: school.id } })) === 0) {
    await db.rejectionReasonTemplate.createMany({ data: reasons.map((text, i) => ({ schoolId: school.id, text, sortOrder: i })) });
  }
  const passwordHash = await hash(DEMO_PASSWORD);
  const staff = [
    { username: "operator", displayName: "平台运维", role: "OPERATOR" as const, schoolId: null },
    { username: "admin", displayName: "学校管理员", role: "SCHOOL_ADMIN" as const, schoolId: school.id },
    { username: "reviewer", displayName: "审核员", role: "REVIEWER" as const, schoolId: school.id },
    { username: "service", displayName: "客服", role: "CUSTOMER_SERVICE" as const, schoolId: school.id },
  ];
  for (const s of staff) {
    await db.staffUser.upsert({ where: { username: s.username }, update: {}, create: { ...s, passwordHash } });
  }
  return { schoolId: school.id, campaignId: campaign.id, staff: staff.map(({ username, role }) => ({ username, role })), codes };
}
