/** What the dev-set labels encode, shared by the evaluation scripts (eval.ts, threshold-fit.ts). */
import type { CheckResult } from "../src/index.js";

/**
 * Labels of one dev-set photo (label_schema of ../shared/testdata/faces{,-studio}/manifest.json, second round:
 * every product rule is labelled, so every check counts).
 */
export interface Labels {
  faces: number; eyes: string | null; mouth: string | null; pose: string | null; frontal: boolean; hat: boolean;
  glasses: string | null; lighting: string; framing: string; occlusion: string | null; color: string;
  ears: string | null; accessories: string[]; reprint: boolean; background_faces: number; head_cropped: boolean;
  face_width_px: number | null; issues: string[]; expected_compliant: boolean;
}
export interface Entry { path: string; identity?: string; labels: Labels; capture?: { view: string; expression: string } }

/** Identity of a dev-set photo: the manifest's identity, else its folder; each compliance/ file is its own identity. */
export const identityOf = (p: string, identity?: string): string => identity ?? (p.startsWith("compliance/") ? p : p.split("/")[0]!);

/** Whether checks refuse a photo (any error check failed; every rule is labelled now). */
export const failsLabelledRule = (checks: CheckResult[]): boolean => checks.some((c) => !c.passed && c.severity === "error");

/** Which check(s) implement each labelled issue (the error codes NO_FACE / MULTIPLE_FACES count for the face-count issues). */
export const ISSUE_CHECKS: Record<string, string[]> = {
  multiple_faces: ["single_face"],
  no_face: ["single_face"],
  background_faces: ["single_face"],
  eyes_closed: ["eyes_open"],
  eyes_not_visible: ["eyes_open", "eyes_visible", "no_tinted_glasses", "frontal"],
  mouth_open: ["mouth_closed"],
  not_frontal: ["frontal"],
  head_tilted: ["eyes_level"],
  hat: ["no_hat"],
  ears_covered: ["ears_visible"],
  tinted_glasses: ["no_tinted_glasses"],
  accessories: ["no_accessories"],
  uneven_lighting: ["even_lighting", "exposure", "no_highlights"],
  dark: ["exposure", "even_lighting"],
  occlusion: ["face_unoccluded", "eyes_visible", "mouth_closed", "face_in_frame"],
  head_cropped: ["face_in_frame", "hair_in_frame"],
  reprint: ["not_rephotographed"],
  grayscale: ["colour"],
  low_resolution: ["face_resolution"],
};
