import { describe, expect, it } from "vitest";
import { redactRaw, scrubRaw, sha256Hex } from "@gradphoto/capture-code";

describe("raw text redaction", () => {
  const raw = "GPD1.dev.eyJ1IjoiMjAyNDEwMDU1MDAwMTIzNCIsIm4iOiLlvKAq5piOIn0.ZaVzArNWg-yfBKhbFYGocjv6RYeSSAGF";

  it("keeps only a few characters, the length and a short hash", () => {
    const r = redactRaw(raw);
    expect(r).toBe(`GPD1…SAGF (len ${raw.length}, sha256 ${sha256Hex(raw).slice(0, 8)})`);
    expect(redactRaw("short")).toMatch(/^… \(len 5, sha256 [0-9a-f]{8}\)$/);
  });

  it("scrubs the raw text and long fragments of it from messages", () => {
    const msg = `upstream said: bad code ${raw}; echo ${raw.slice(10, 50)}`;
    const s = scrubRaw(msg, raw);
    expect(s).not.toContain(raw);
    expect(s).not.toContain(raw.slice(10, 50));
    expect(s).toContain("upstream said: bad code");
  });
});
