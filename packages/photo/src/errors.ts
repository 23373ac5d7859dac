/** Every refusal the pipeline can give, as `{ code, message }` (message in Chinese, for the graduate). */
export const PHOTO_ERROR_CODES = [
  "INVALID_IMAGE",
  "IMAGE_TOO_LARGE",
  "UNSUPPORTED_FORMAT",
  "NO_FACE",
  "MULTIPLE_FACES",
  "CANNOT_STANDARDIZE",
  "FILE_NOT_FOUND",
  "MODEL_UNAVAILABLE",
  "INTERNAL",
] as const;
export type PhotoErrorCode = (typeof PHOTO_ERROR_CODES)[number];

export interface PhotoErrorInfo {
  code: PhotoErrorCode;
  message: string;
}

export class PhotoError extends Error {
  constructor(
    readonly code: PhotoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PhotoError";
  }

  toJSON(): PhotoErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Turns anything thrown inside the pipeline into a `{ code, message }` (never rethrows). */
export function toErrorInfo(e: unknown): PhotoErrorInfo {
  if (e instanceof PhotoError) return e.toJSON();
  const err = e as { name?: string; code?: string; message?: string } | undefined;
  if (err?.name === "ModelError") {
    return { code: "MODEL_UNAVAILABLE", message: `照片检测模型不可用，请联系管理员（${err.message ?? ""}）` };
  }
  return { code: "INTERNAL", message: `照片处理出错，请重试或更换照片（${err?.message ?? String(e)}）` };
}
