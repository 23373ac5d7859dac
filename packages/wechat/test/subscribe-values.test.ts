import { describe, expect, it } from "vitest";
import { characterString, date, fieldType, isWechatError, normalizeSubscribeData, phrase, thing, time } from "@gradphoto/wechat";

describe("订阅消息 value helpers", () => {
  it("thing() keeps ≤ 20 characters and marks a cut", () => {
    expect(thing("  审核   通过  ")).toBe("审核 通过");
    expect(thing("一二三四五六七八九十一二三四五六七八九十")).toHaveLength(20);
    const cut = thing("一二三四五六七八九十一二三四五六七八九十多");
    expect(Array.from(cut)).toHaveLength(20);
    expect(cut.endsWith("…")).toBe(true);
    // emoji count as one character each
    expect(Array.from(thing("😀".repeat(25)))).toHaveLength(20);
    expect(() => thing("   ")).toThrow();
  });

  it("phrase() accepts 1–5 Chinese characters only", () => {
    expect(phrase("审核通过")).toBe("审核通过");
    expect(phrase("审核未通过")).toBe("审核未通过");
    for (const bad of ["审核未通过了", "OK", "", "审核 通过"]) {
      try {
        phrase(bad);
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect(isWechatError(e, "WECHAT_SUBSCRIBE_BAD_DATA")).toBe(true);
      }
    }
  });

  it("time() and date() format in Beijing time", () => {
    const d = new Date("2024-06-01T07:05:00Z"); // 15:05 in Beijing
    expect(time(d)).toBe("2024年6月1日 15:05");
    expect(date(new Date("2024-06-30T17:00:00Z"))).toBe("2024年7月1日");
  });

  it("characterString() keeps ≤ 32 printable ASCII characters", () => {
    expect(characterString("A".repeat(40))).toHaveLength(32);
    expect(() => characterString("编号")).toThrow();
  });

  it("normalizeSubscribeData() shapes thing and character_string fields by key", () => {
    expect(fieldType("thing12")).toBe("thing");
    expect(fieldType("character_string3")).toBe("character_string");
    const out = normalizeSubscribeData({ thing1: "x".repeat(30), phrase2: { value: "审核通过" }, character_string3: "B".repeat(33) });
    expect(Array.from(out.thing1!.value)).toHaveLength(20);
    expect(out.phrase2).toEqual({ value: "审核通过" });
    expect(out.character_string3!.value).toHaveLength(32);
  });
});
