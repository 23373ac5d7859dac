/** Which of the two images an error is about. */
export type ImageRole = "photo" | "reference";

export type FaceErrorCode =
  | "INVALID_IMAGE"
  | "NO_FACE"
  | "FACE_TOO_SMALL"
  | "MULTIPLE_FACES"
  | "MODEL_UNAVAILABLE"
  | "CALIBRATION_INVALID";

/** Structured error carried in a comparison result (never a fake score). */
export interface FaceErrorInfo {
  code: FaceErrorCode;
  message: string;
  /** the image the error is about, when it is about one */
  image?: ImageRole;
}

const ROLE_NAME: Record<ImageRole, string> = { photo: "毕业照", reference: "录取照片" };

const MESSAGES: Record<FaceErrorCode, (role?: ImageRole) => string> = {
  INVALID_IMAGE: (r) => `${r ? ROLE_NAME[r] : "图片"}无法读取，请上传 JPG 或 PNG 格式的照片`,
  NO_FACE: (r) => `${r ? ROLE_NAME[r] : "照片"}中未检测到人脸，请更换其他照片上传比对`,
  FACE_TOO_SMALL: (r) => `${r ? ROLE_NAME[r] : "照片"}中的人脸太小，无法比对，请更换更清晰的照片`,
  MULTIPLE_FACES: (r) => `${r ? ROLE_NAME[r] : "照片"}中有多张人脸，请上传只有本人的照片`,
  MODEL_UNAVAILABLE: () => "人脸比对模型不可用，请联系管理员",
  CALIBRATION_INVALID: () => "人脸比对校准文件无效或与模型不匹配，请联系管理员",
};

/** Thrown inside the pipeline; turned into `FaceErrorInfo` by `compare()`. */
export class FaceError extends Error {
  constructor(
    readonly code: FaceErrorCode,
    readonly image?: ImageRole,
    message?: string,
  ) {
    super(message ?? MESSAGES[code](image));
    this.name = "FaceError";
  }

  toInfo(): FaceErrorInfo {
    return this.image ? { code: this.code, message: this.message, image: this.image } : { code: this.code, message: this.message };
  }
}

export function faceErrorMessage(code: FaceErrorCode, image?: ImageRole): string {
  return MESSAGES[code](image);
}
