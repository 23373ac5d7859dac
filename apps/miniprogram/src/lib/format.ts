/** Dates are shown in China time whatever the phone's zone (no Intl time zones in every WeChat engine). */
const CN_OFFSET = 8 * 3600_000;

function cn(d: Date | string | number): Date {
  return new Date(new Date(d).getTime() + CN_OFFSET);
}

const p2 = (n: number) => String(n).padStart(2, "0");

/** 2026年6月30日 23:59 */
export function dateTime(d: Date | string | number): string {
  const x = cn(d);
  return `${x.getUTCFullYear()}年${x.getUTCMonth() + 1}月${x.getUTCDate()}日 ${p2(x.getUTCHours())}:${p2(x.getUTCMinutes())}`;
}

/** 6月30日 23:59 */
export function shortDateTime(d: Date | string | number): string {
  const x = cn(d);
  return `${x.getUTCMonth() + 1}月${x.getUTCDate()}日 ${p2(x.getUTCHours())}:${p2(x.getUTCMinutes())}`;
}

/** ¥20.00 */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** 23:59:59 (hours may exceed 24) */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${p2(Math.floor(s / 3600))}:${p2(Math.floor((s % 3600) / 60))}:${p2(s % 60)}`;
}

/** Days left until a deadline, for the home page. */
export function daysLeft(until: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(until).getTime() - now) / 86400_000));
}

/** 400-000-0000 → 4000000000 for makePhoneCall */
export function dialable(phone: string): string {
  return phone.replace(/[^\d+]/g, "");
}

/** 张三丰 → 张** (the roster's full name is never shown in full) */
export function maskName(name: string): string {
  const chars = Array.from(name);
  return chars.length <= 1 ? name : chars[0] + "*".repeat(chars.length - 1);
}

/** Pulls a phone number out of free text such as "学籍管理科 010-00000000（行政楼201）". */
export function phoneIn(text: string): string | null {
  const m = /(?:\+?86[- ]?)?(?:400[- ]?\d{3}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8}|1[3-9]\d{9}|\d{3,4}-\d{7,8})/.exec(text);
  return m ? m[0] : null;
}
