import type { Db } from "@gradphoto/db";

type Row = { actorType: string; actorId: string | null; targetType: string; targetId: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const graduate = (r: { name: string; uniqueNumber: string } | null | undefined) => (r ? `${r.name}（${r.uniqueNumber}）` : "（未绑定采集码的毕业生）");

/**
 * Names for the audit log instead of id fragments: the graduate (name + 学信网唯一编号) behind a
 * submission, roster entry or order, the staff account (display name + username), the campaign.
 * A handful of batched lookups per page.
 */
export async function auditNames(db: Db, rows: Row[]): Promise<{ target(r: Row): string | null; graduateActor(r: Row): string | null }> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.targetType === type && r.targetId && UUID.test(r.targetId)).map((r) => r.targetId!))];
  const wechatIds = [...new Set(rows.filter((r) => r.actorType === "GRADUATE" && r.actorId && UUID.test(r.actorId)).map((r) => r.actorId!))];
  const rosterSel = { select: { name: true, uniqueNumber: true } } as const;
  const [subs, entries, orders, staff, campaigns, byWechat] = await Promise.all([
    db.submission.findMany({ where: { id: { in: ids("submission") } }, select: { id: true, rosterEntry: rosterSel } }),
    db.rosterEntry.findMany({ where: { id: { in: ids("roster_entry") } }, select: { id: true, name: true, uniqueNumber: true } }),
    db.order.findMany({ where: { id: { in: ids("order") } }, select: { id: true, outTradeNo: true, submission: { select: { rosterEntry: rosterSel } } } }),
    db.staffUser.findMany({ where: { id: { in: ids("staff_user") } }, select: { id: true, displayName: true, username: true } }),
    db.campaign.findMany({ where: { id: { in: ids("campaign") } }, select: { id: true, name: true } }),
    db.submission.findMany({ where: { wechatUserId: { in: wechatIds }, rosterEntryId: { not: null } }, select: { wechatUserId: true, rosterEntry: rosterSel }, orderBy: { createdAt: "desc" } }),
  ]);
  const names = new Map<string, string>();
  for (const s of subs) names.set(`submission:${s.id}`, graduate(s.rosterEntry));
  for (const e of entries) names.set(`roster_entry:${e.id}`, graduate(e));
  for (const o of orders) names.set(`order:${o.id}`, `${graduate(o.submission.rosterEntry)} · 订单 ${o.outTradeNo}`);
  for (const s of staff) names.set(`staff_user:${s.id}`, `${s.displayName}（${s.username}）`);
  for (const c of campaigns) names.set(`campaign:${c.id}`, c.name);
  const wechat = new Map<string, string>();
  for (const s of byWechat) if (!wechat.has(s.wechatUserId)) wechat.set(s.wechatUserId, graduate(s.rosterEntry));
  return {
    target: (r) => (r.targetId ? (names.get(`${r.targetType}:${r.targetId}`) ?? null) : null),
    graduateActor: (r) => {
      if (r.actorType !== "GRADUATE") return null;
      const fromTarget = r.targetType === "submission" && r.targetId ? names.get(`submission:${r.targetId}`) : undefined;
      const who = fromTarget ?? (r.actorId ? wechat.get(r.actorId) : undefined);
      return who ? `毕业生 ${who}` : "毕业生";
    },
  };
}
