import { describe, expect, it } from "vitest";
import { isValidIdNumber, maskIdNumber, maskName, shanghaiDay, standardisationQuota } from "@gradphoto/domain";

const at = (s: string) => new Date(s);

describe("standardisation quota", () => {
  it("counts runs per Asia/Shanghai calendar day", () => {
    expect(shanghaiDay(at("2026-06-01T15:59:00Z"))).toBe("2026-06-01");
    expect(shanghaiDay(at("2026-06-01T16:00:00Z"))).toBe("2026-06-02");
    const q = standardisationQuota([at("2026-06-01T01:00:00+08:00"), at("2026-06-01T02:00:00+08:00")], at("2026-06-01T03:00:00+08:00"));
    expect(q).toMatchObject({ allowed: true, usedToday: 2, remainingToday: 1 });
  });

  it("starts a 24-hour cool-down at the third run, across midnight", () => {
    const runs = [at("2026-06-01T20:00:00+08:00"), at("2026-06-01T21:00:00+08:00"), at("2026-06-01T22:00:00+08:00")];
    const nextDay = standardisationQuota(runs, at("2026-06-02T09:00:00+08:00"));
    expect(nextDay.allowed).toBe(false);
    expect(nextDay.nextAllowedAt?.toISOString()).toBe(at("2026-06-02T22:00:00+08:00").toISOString());
    expect(standardisationQuota(runs, at("2026-06-02T22:00:00+08:00")).allowed).toBe(true);
  });

  it("yesterday's two runs do not limit today", () => {
    const q = standardisationQuota([at("2026-06-01T10:00:00+08:00"), at("2026-06-01T11:00:00+08:00")], at("2026-06-02T08:00:00+08:00"));
    expect(q).toMatchObject({ allowed: true, usedToday: 0, remainingToday: 3 });
  });
});

describe("identity helpers", () => {
  it("masks names and ID numbers like 学信网", () => {
    expect(maskName("张三")).toBe("张*");
    expect(maskName("欧阳娜娜")).toBe("欧***");
    expect(maskIdNumber("110101199003078515")).toBe("110***********8515");
  });
  it("validates the GB 11643 check digit", () => {
    expect(isValidIdNumber("11010119900307851X")).toBe(false);
    expect(isValidIdNumber("110101199003078515")).toBe(true);
    expect(isValidIdNumber("11010119900307")).toBe(false);
  });
});
