/** What the dev-set labels encode, shared by the evaluation scripts (eval.ts, threshold-fit.ts). */
import type { CheckResult } from "../src/index.js";

/** Checks for product rules the dev-set labels do not encode (the labels call grayscale 150-px crops compliant). */
export const UNLABELLED_RULES = new Set(["colour", "face_resolution", "hair_in_frame", "album_input"]);
/** Identity of a dev-set photo: its folder; each compliance/ file is its own identity. */
export const identityOf = (p: string): string => (p.startsWith("compliance/") ? p : p.split("/")[0]!);
/** Whether checks refuse a photo on a rule the labels encode (an error check outside UNLABELLED_RULES). */
export const failsLabelledRule = (checks: CheckResult[]): boolean => checks.some((c) => !c.passed && c.severity === "error" && !UNLABELLED_RULES.has(c.id));
