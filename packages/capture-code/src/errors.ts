/** Stable error codes of the capture-code package; `message` is Chinese and shown to users. */
export const ERROR_MESSAGES = {
  FILE_NOT_READABLE: "无法读取该文件。",
  INVALID_IMAGE: "无法读取该图片，请上传 JPG 或 PNG 格式的采集码图片。",
  IMAGE_TOO_LARGE: "图片过大，请上传不超过 20 MB、5000 万像素的采集码图片。",
  IMAGE_TOO_SMALL: "图片尺寸过小，无法识别采集码，请上传保存的采集码原图。",
  CODE_UNREADABLE:
    "未能识别图片中的采集码。请在学信网“查看图像采集码”页面长按二维码选择保存采集码，上传保存的图片；截图或翻拍的图片可能无法识别读取。",
  CODE_INVALID: "该二维码不是有效的学信网图像采集码，请上传本人的图像采集码。",
  PROVIDER_UNAVAILABLE: "采集码解码服务暂时不可用，请稍后再试。",
  PROVIDER_BAD_RESPONSE: "采集码解码服务返回异常，请稍后再试或联系客服。",
  PROVIDER_CONFIG_INVALID: "采集码解码服务配置有误，请联系学校或客服。",
} as const;

export type CaptureCodeErrorCode = keyof typeof ERROR_MESSAGES;

export class CaptureCodeError extends Error {
  override readonly name = "CaptureCodeError";
  constructor(
    readonly code: CaptureCodeErrorCode,
    /** Technical detail for logs (never the raw QR text in full). */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(ERROR_MESSAGES[code], options);
  }

  toJSON(): { code: CaptureCodeErrorCode; message: string; detail?: string } {
    return { code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export function isCaptureCodeError(e: unknown): e is CaptureCodeError {
  return e instanceof CaptureCodeError;
}
