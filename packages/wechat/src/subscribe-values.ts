import { WechatError } from "./errors.js";

/**
 * Value helpers for 订阅消息 template fields. WeChat rejects a whole message with errcode 47003 when
 * one value breaks its field type's rule, so values are shaped before sending:
 * - `thing`            ≤ 20 characters (any text)           → `thing()` shortens with "…"
 * - `character_string` ≤ 32 letters, digits, symbols         → `characterString()` shortens
 * - `phrase`           ≤ 5 Chinese characters, template-approved words only → `phrase()` checks
 * - `time` / `date`    "2024年6月1日 15:01" / "2024年6月1日"      → `time()` / `date()` format (Beijing time)
 * - `number` ≤ 32 digits, `letter` ≤ 32 letters, `symbol` ≤ 5, `amount`, `phone_number` ≤ 17,
 *   `car_number` ≤ 8, `name` ≤ 10 Chinese characters or 20 letters.
 * Characters are counted as Unicode code points (an emoji or a CJK character counts as one).
 */

export const SUBSCRIBE_LIMITS = {
  thing: 20,
  character_string: 32,
  phrase: 5,
  number: 32,
  letter: 32,
  symbol: 5,
  phone_number: 17,
  car_number: 8,
} as const;

/** Shorten to at most `max` code points, ending with "…" when something was cut. */
export function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A `thing` value: whitespace collapsed, at most 20 characters ("…" marks a cut). */
export function thing(text: string): string {
  const v = collapse(text);
  if (v.length === 0) throw badData("thing 值不能为空");
  return truncateChars(v, SUBSCRIBE_LIMITS.thing);
}

/** A `character_string` value: printable ASCII only, at most 32 characters (cut without "…"). */
export function characterString(text: string): string {
  const v = text.trim();
  if (!/^[\x21-\x7e]+$/.test(v)) throw badData("character_string 只能包含字母、数字和符号");
  return v.slice(0, SUBSCRIBE_LIMITS.character_string);
}

/** A `phrase` value: 1–5 Chinese characters. It must also be a word the template allows (e.g. 审核通过). */
export function phrase(text: string): string {
  const v = text.trim();
  if (!/^[\u4e00-\u9fff]{1,5}$/u.test(v)) throw badData(`phrase 须为 5 个以内汉字：${JSON.stringify(v)}`);
  return v;
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

function beijingParts(d: Date): { y: number; m: number; day: number; hh: string; mm: string } {
  if (Number.isNaN(d.getTime())) throw badData("时间无效");
  const b = new Date(d.getTime() + BEIJING_OFFSET_MS);
  return {
    y: b.getUTCFullYear(),
    m: b.getUTCMonth() + 1,
    day: b.getUTCDate(),
    hh: String(b.getUTCHours()).padStart(2, "0"),
    mm: String(b.getUTCMinutes()).padStart(2, "0"),
  };
}

/** A `time` value in Beijing time: "2024年6月1日 15:01". */
export function time(d: Date): string {
  const p = beijingParts(d);
  return `${p.y}年${p.m}月${p.day}日 ${p.hh}:${p.mm}`;
}

/** A `date` value in Beijing time: "2024年6月1日". */
export function date(d: Date): string {
  const p = beijingParts(d);
  return `${p.y}年${p.m}月${p.day}日`;
}

/** The field type of a template key: "thing1" → "thing", "character_string12" → "character_string". */
export function fieldType(key: string): string {
  const m = /^([a-z_]+?)\d*$/.exec(key);
  return m?.[1] ?? key;
}

export type SubscribeDataInput = Record<string, string | { value: string }>;

/**
 * Shape a message's data for sending: `thing*` values shortened to 20 characters and
 * `character_string*` to 32, other values passed as given (use the helpers above for them).
 */
export function normalizeSubscribeData(data: SubscribeDataInput): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {};
  for (const [key, raw] of Object.entries(data)) {
    const value = typeof raw === "string" ? raw : raw.value;
    const type = fieldType(key);
    out[key] = {
      value: type === "thing" ? thing(value) : type === "character_string" ? characterString(value) : value,
    };
  }
  return out;
}

function badData(detail: string): WechatError {
  return new WechatError("WECHAT_SUBSCRIBE_BAD_DATA", { detail, retryable: false });
}
