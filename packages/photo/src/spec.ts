import { z } from "zod";

/** Named backgrounds of 教毕指〔2017〕99号: light blue (the default), white, light grey. */
export const BACKGROUNDS = {
  blue: [100, 197, 255],
  white: [255, 255, 255],
  grey: [240, 240, 240],
} as const satisfies Record<string, readonly [number, number, number]>;

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colour must be #RRGGBB");
export const BackgroundSchema = z.union([z.enum(["blue", "white", "grey"]), hexColour]);
export type Background = z.infer<typeof BackgroundSchema>;

/** `blue|white|grey|#RRGGBB` → RGB triple. */
export function backgroundRgb(bg: Background): [number, number, number] {
  if (bg === "blue" || bg === "white" || bg === "grey") return [...BACKGROUNDS[bg]];
  const n = Number.parseInt(bg.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const range = (lo: number, hi: number) =>
  z
    .tuple([z.number(), z.number()])
    .refine(([a, b]) => a <= b, "range must be [min, max]")
    .default([lo, hi]);

/** Every check the pipeline runs; ids are stable (they appear in reports, the API and the database). */
export const CHECK_IDS = [
  "album_input",
  "single_face",
  "face_resolution",
  "whole_head",
  "frontal",
  "eyes_level",
  "eyes_open",
  "eyes_visible",
  "ears_visible",
  "no_tinted_glasses",
  "no_hat",
  "face_unoccluded",
  "mouth_closed",
  "natural_expression",
  "even_lighting",
  "exposure",
  "no_highlights",
  "colour",
  "sharp",
  "not_rephotographed",
  "shoulders_level",
  "clothes_contrast",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** error: the photo is refused; warning: reported to the graduate and the reviewer, not refused; off: not run. */
export const SeveritySchema = z.enum(["error", "warning", "off"]);
export type Severity = z.infer<typeof SeveritySchema>;

const DEFAULT_SEVERITY: Record<CheckId, Severity> = {
  album_input: "error",
  single_face: "error",
  face_resolution: "error",
  whole_head: "error",
  frontal: "error",
  eyes_level: "error",
  eyes_open: "error",
  eyes_visible: "error",
  ears_visible: "warning",
  no_tinted_glasses: "error",
  no_hat: "error",
  face_unoccluded: "error",
  mouth_closed: "error",
  natural_expression: "error",
  even_lighting: "error",
  exposure: "error",
  no_highlights: "error",
  colour: "error",
  sharp: "error",
  not_rephotographed: "error",
  shoulders_level: "error",
  clothes_contrast: "error",
};

/**
 * Thresholds of every check. Values were calibrated on the development set
 * (../shared/testdata/faces); docs/photo-spec.md gives the measured accuracy of each.
 */
export const ThresholdsSchema = z.object({
  /** YuNet score for the graduate's face. */
  faceScore: z.number().default(0.7),
  /** YuNet score for any other face in the picture (small background faces included). */
  otherFaceScore: z.number().default(0.75),
  /** other faces smaller than this share of the main face's width are ignored (print patterns, reflections). */
  otherFaceMinRelWidth: z.number().default(0.15),
  /** cheek-to-cheek face width in source pixels. */
  minFaceWidthPx: z.number().default(160),
  /** |yaw| and |pitch| in degrees (combined model + landmark geometry). */
  maxYawDeg: z.number().default(12),
  maxPitchDeg: z.number().default(20),
  /** eye line angle (head roll) in degrees. */
  maxRollDeg: z.number().default(6),
  /** eye-state model probability that an eye is open, lowest of both eyes. */
  minEyeOpenProb: z.number().default(0.5),
  /** eye aspect ratio below which an eye counts as closed even if the model says open. */
  minEyeAspect: z.number().default(0.12),
  /** share of the eyebrow/eye band covered by hair (skin/hair/clothes model). */
  maxEyeHairCover: z.number().default(0.35),
  /** share of each ear zone that is hair rather than skin. */
  maxEarHairCover: z.number().default(0.7),
  /** eye-region luminance relative to the cheeks (tinted lenses darken it). */
  minEyeLuminanceRatio: z.number().default(0.45),
  /** share of the region above the brows that is person but neither hair nor skin. */
  maxHatShare: z.number().default(0.45),
  /** share of the face-surrounding ring that is skin outside face and neck (hands). */
  maxForeignSkin: z.number().default(0.12),
  /** inner-lip opening ÷ mouth width. */
  maxMouthOpen: z.number().default(0.12),
  /** expression model: highest probability of a non-neutral, non-happy expression. */
  maxStrongExpression: z.number().default(0.85),
  /** |left − right| mean face luminance ÷ mean. */
  maxLightAsymmetry: z.number().default(0.3),
  /** mean face luminance (0–255) range. */
  faceLuminance: range(60, 235),
  /** share of face pixels that are blown-out highlights. */
  maxHighlightShare: z.number().default(0.04),
  /** mean chroma (CIELAB C*) of the person, below which the photo counts as grayscale. */
  minChroma: z.number().default(4),
  /** face sharpness score (high-frequency energy at a fixed face scale). */
  minSharpness: z.number().default(6),
  /** periodic-pattern score (halftone dots, screen moiré) of a re-photographed print or screen. */
  maxPeriodicScore: z.number().default(8),
  /** shoulder line angle in degrees. */
  maxShoulderTiltDeg: z.number().default(8),
  /** CIEDE2000 between the clothes and the target background colour. */
  minClothesDeltaE: z.number().default(12),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const PhotoSpecSchema = z.object({
  output: z
    .object({
      width: z.number().int().positive().default(480),
      height: z.number().int().positive().default(640),
      background: BackgroundSchema.default("blue"),
      minKb: z.number().positive().default(20),
      maxKb: z.number().positive().default(40),
      minQuality: z.number().int().min(1).max(100).default(60),
      dpi: z.number().int().positive().default(300),
      /** pixels of the 480×640 layout (教毕指〔2017〕99号): hair top, eye line, cheek-to-cheek width. */
      headTop: range(50, 110),
      eyeLine: range(200, 300),
      faceWidth: range(180, 300),
      /** face centre may be off the vertical centre line by this many output pixels. */
      maxCentreOffset: z.number().default(12),
      /** the print version: same crop, up to this width (height follows 3:4). */
      printMaxWidth: z.number().int().positive().default(1200),
      printQuality: z.number().int().min(60).max(100).default(92),
    })
    .prefault({}),
  input: z
    .object({
      maxBytes: z.number().int().positive().default(25 * 1024 * 1024),
      maxPixels: z.number().int().positive().default(60_000_000),
    })
    .prefault({}),
  /** 本地相册 upload rule of the school notice; camera captures are not held to it. */
  album: z
    .object({
      width: range(480, 1350),
      height: range(640, 1800),
      minBytes: z.number().int().default(50 * 1024),
      maxBytes: z.number().int().default(1024 * 1024),
      formats: z.array(z.enum(["jpeg", "png", "webp"])).default(["jpeg"]),
    })
    .prefault({}),
  thresholds: ThresholdsSchema.prefault({}),
  severity: z
    .partialRecord(z.enum(CHECK_IDS), SeveritySchema)
    .default({})
    .transform((s) => ({ ...DEFAULT_SEVERITY, ...s }) as Record<CheckId, Severity>),
});
export type PhotoSpec = z.infer<typeof PhotoSpecSchema>;
export type PhotoSpecInput = z.input<typeof PhotoSpecSchema>;

/** Parses a (partial) campaign spec and fills in the defaults. Throws a ZodError on a bad spec. */
export function photoSpec(input: PhotoSpecInput = {}): PhotoSpec {
  const spec = PhotoSpecSchema.parse(input);
  if (spec.output.minKb > spec.output.maxKb) throw new Error("output.minKb must not exceed output.maxKb");
  return spec;
}

export const DEFAULT_SPEC: PhotoSpec = photoSpec();
