import QRCode from "qrcode";
import { z } from "zod";

export const RenderOptionsSchema = z
  .object({
    /** Image width in pixels, quiet zone included (default 600). */
    width: z.number().int().min(64).max(4096).default(600),
    /** Quiet zone in modules (default 4, as the QR standard asks). */
    margin: z.number().int().min(1).max(16).default(4),
    errorCorrectionLevel: z.enum(["L", "M", "Q", "H"]).default("M"),
  })
  .strict();
export type RenderOptions = z.input<typeof RenderOptionsSchema>;

/**
 * Render a code text (e.g. a demo 采集码 from `issueDemoCode`) as a printable PNG QR image, for the
 * admin console. Byte mode, UTF-8.
 */
export async function renderCodePng(text: string, options: RenderOptions = {}): Promise<Buffer> {
  const o = RenderOptionsSchema.parse(options);
  return QRCode.toBuffer([{ data: Buffer.from(text, "utf8"), mode: "byte" }], {
    type: "png",
    width: o.width,
    margin: o.margin,
    errorCorrectionLevel: o.errorCorrectionLevel,
    color: { dark: "#000000ff", light: "#ffffffff" },
  });
}
