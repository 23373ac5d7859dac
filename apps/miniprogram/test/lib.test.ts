// Unit tests of the mini-program's pure modules (no Taro runtime needed).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SubmissionStateSchema } from "@gradphoto/contracts";
import { CHECK_IDS } from "@gradphoto/photo";
import type { Submission } from "@gradphoto/api-client";
import { PAGES, STEPS, pageFor } from "../src/lib/steps.js";
import { countdown, dateTime, maskName, phoneIn, shortDateTime, yuan } from "../src/lib/format.js";
import { flawForCheck, portrait, svgUri } from "../src/components/art.js";

const app = path.resolve(import.meta.dirname, "..");
const appConfig = readFileSync(path.join(app, "src/app.config.ts"), "utf8");

function view(state: Submission["state"], consentCurrent = true): Submission {
  return { state, consentCurrent } as Submission;
}

describe("the flow", () => {
  it("every page exists, and app.config.ts lists exactly the pages of the flow", () => {
    const listed = [...appConfig.matchAll(/"(pages\/[a-z-]+\/index)"/g)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(Object.values(PAGES)));
    for (const p of Object.values(PAGES)) {
      expect(existsSync(path.join(app, "src", `${p}.tsx`)), p).toBe(true);
      expect(existsSync(path.join(app, "src", `${p}.config.ts`)), p).toBe(true);
    }
  });

  it("every submission state continues on a step page", () => {
    for (const state of SubmissionStateSchema.options) {
      const page = pageFor(view(state));
      expect(Object.keys(PAGES)).toContain(page);
    }
    expect(pageFor(view("NEW"))).toBe("notice");
    expect(pageFor(view("CODE_BOUND"))).toBe("pay");
    expect(pageFor(view("PHOTO_CHECKED"))).toBe("standardize");
    expect(pageFor(view("COMPARE_BLOCKED"))).toBe("compare");
    expect(pageFor(view("REJECTED"))).toBe("status");
    // a new 温馨提示 version must be accepted again, wherever the graduate is
    expect(pageFor(view("PAID", false))).toBe("notice");
    for (const s of Object.values(STEPS)) expect(s.title).toMatch(/[\u4e00-\u9fa5]/);
  });
});

describe("formatting", () => {
  it("shows China time whatever the machine's zone", () => {
    expect(dateTime("2026-06-30T15:59:00Z")).toBe("2026年6月30日 23:59");
    expect(shortDateTime("2026-06-30T16:05:00Z")).toBe("7月1日 00:05");
  });

  it("counts down in hours:minutes:seconds and formats fees", () => {
    expect(countdown(24 * 3600_000)).toBe("24:00:00");
    expect(countdown(61_500)).toBe("00:01:02");
    expect(countdown(-5)).toBe("00:00:00");
    expect(yuan(2000)).toBe("¥20.00");
    expect(yuan(1)).toBe("¥0.01");
  });

  it("masks roster names and finds phone numbers to dial in free text", () => {
    expect(maskName("张伟")).toBe("张*");
    expect(maskName("欧阳娜娜")).toBe("欧***");
    expect(phoneIn("学籍管理科 010-00000000（行政楼201）")).toBe("010-00000000");
    expect(phoneIn("400-123-4567")).toBe("400-123-4567");
    expect(phoneIn("027-87885551")).toBe("027-87885551");
    expect(phoneIn("13800138000")).toBe("13800138000");
    expect(phoneIn("pay-support@example.edu.cn")).toBeNull();
  });
});

describe("illustrations", () => {
  it("encodes SVG as base64 data URIs (no btoa in the mini-program)", () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="2"/></svg>';
    const uri = svgUri(svg);
    expect(uri.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(Buffer.from(uri.split(",")[1]!, "base64").toString("utf8")).toBe(svg);
    for (const s of ["a", "ab", "abc", "abcd"]) expect(svgUri(s).split(",")[1]).toBe(Buffer.from(s).toString("base64"));
  });

  it("has a drawn example for every check a graduate can fix by retaking", () => {
    const fixable = CHECK_IDS.filter((id) => !["album_input", "output_geometry", "output_file_size"].includes(id));
    for (const id of fixable) expect(flawForCheck(id), id).not.toBeNull();
    expect(flawForCheck("unknown_check")).toBeNull();
    // every example is valid SVG XML (a broken one shows as an empty box in WeChat)
    for (const id of fixable) {
      const xml = Buffer.from(portrait(flawForCheck(id)!).split(",")[1]!, "base64").toString("utf8");
      expect(xml).toMatch(/^<svg [^>]*viewBox="0 0 120 160"/);
      expect(xml.match(/<g\b/g)?.length).toBe(xml.match(/<\/g>/g)?.length);
    }
  });
});
