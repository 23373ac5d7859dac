import {
  AcceptConsentRequestSchema,
  AdmissionPhotoSchema,
  CampaignPublicSchema,
  CodePreviewSchema,
  CompareResponseSchema,
  ConfirmCodeRequestSchema,
  ConfirmCodeResponseSchema,
  ConsentTextSchema,
  CreateOrderResponseSchema,
  DevAckSchema,
  DevLoginCodeSchema,
  DevPayResultSchema,
  DevSubscriptionRequestSchema,
  DisputeRequestSchema,
  OkSchema,
  OrderStatusResponseSchema,
  PhotoPrecheckResponseSchema,
  PhotoUploadResponseSchema,
  PhotoViewSchema,
  ScanCodeRequestSchema,
  StandardizeResponseSchema,
  SubmissionViewSchema,
  SubmitRequestSchema,
  SubscriptionGrantsSchema,
  type DevPayResult,
  WxLoginRequestSchema,
  WxLoginResponseSchema,
} from "@gradphoto/contracts";
import { z } from "zod";
import { ApiRequestError, type ApiCore } from "./core.js";
import type { TransportRequest } from "./transport.js";

export type CampaignPublic = z.output<typeof CampaignPublicSchema>;
export type ConsentText = z.output<typeof ConsentTextSchema>;
export type Submission = z.output<typeof SubmissionViewSchema>;
export type SubmissionState = Submission["state"];
export type CodePreview = z.output<typeof CodePreviewSchema>;
export type CreateOrderResponse = z.output<typeof CreateOrderResponseSchema>;
export type OrderStatus = z.output<typeof OrderStatusResponseSchema>;
export type PhotoPrecheck = z.output<typeof PhotoPrecheckResponseSchema>;
export type PhotoUpload = z.output<typeof PhotoUploadResponseSchema>;
export type Photo = z.output<typeof PhotoViewSchema>;
export type PhotoCheck = Photo["checks"][number];
export type StandardizeResult = z.output<typeof StandardizeResponseSchema>;
export type AdmissionPhoto = z.output<typeof AdmissionPhotoSchema>;
export type CompareResult = z.output<typeof CompareResponseSchema>;
export type Comparison = CompareResult["comparison"];
export type WxLoginResponse = z.output<typeof WxLoginResponseSchema>;

/** A file to upload: a Blob (browser, Node) or a local temp-file path (WeChat mini-program). */
export interface UploadFile {
  name: string;
  data: Blob | string;
  contentType?: string;
}

const enc = encodeURIComponent;

/** Checks a request body with its contract schema; a bad one is rejected before anything is sent. */
function valid<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiRequestError(0, "INVALID_REQUEST", "提交的信息有误，请检查后重试", r.error.issues);
  return r.data;
}

/**
 * The graduate's routes, one method each. Requests are checked with the contracts' request schemas
 * before they are sent, and answers are validated with the response schemas (ApiCore), so the
 * mini-program never handles a shape the server did not promise. Errors are ApiRequestError with the
 * API's stable `code` and a Chinese `message` to show as is.
 */
export class GraduateApi {
  constructor(readonly core: ApiCore) {}

  get token(): string | null {
    return this.core.token;
  }

  set token(t: string | null) {
    this.core.token = t;
  }

  private post<S extends z.ZodType>(schema: S, path: string, json?: unknown, extra: Partial<TransportRequest> = {}) {
    return this.core.request(schema, { method: "POST", path, ...(json === undefined ? {} : { json }), ...extra });
  }

  private get<S extends z.ZodType>(schema: S, path: string) {
    return this.core.request(schema, { method: "GET", path });
  }

  /** POST /api/wx/login: exchanges a wx.login code for a session; keeps the token for later calls. */
  async login(body: z.input<typeof WxLoginRequestSchema>): Promise<WxLoginResponse> {
    const r = await this.post(WxLoginResponseSchema, "/api/wx/login", valid(WxLoginRequestSchema, body));
    this.core.token = r.token;
    return r;
  }

  /** GET /api/campaigns/:id (public): name, deadline, fee, contacts, 订阅消息 templates. */
  async campaign(campaignId: string): Promise<CampaignPublic> {
    return this.get(CampaignPublicSchema, `/api/campaigns/${enc(campaignId)}`);
  }

  /** GET /api/campaigns/:id/consent (public): the current 温馨提示. */
  async consent(campaignId: string): Promise<ConsentText> {
    return this.get(ConsentTextSchema, `/api/campaigns/${enc(campaignId)}/consent`);
  }

  /** POST /api/campaigns/:id/submission: starts or resumes the graduate's submission. */
  async startSubmission(campaignId: string): Promise<Submission> {
    return this.post(SubmissionViewSchema, `/api/campaigns/${enc(campaignId)}/submission`);
  }

  /** GET /api/submissions/:id */
  async submission(id: string): Promise<Submission> {
    return this.get(SubmissionViewSchema, `/api/submissions/${enc(id)}`);
  }

  /** POST /api/submissions/:id/consent */
  async acceptConsent(id: string, body: z.input<typeof AcceptConsentRequestSchema>): Promise<Submission> {
    return this.post(SubmissionViewSchema, `/api/submissions/${enc(id)}/consent`, valid(AcceptConsentRequestSchema, body));
  }

  /** POST /api/submissions/:id/capture-code/scan: the text read by wx.scanCode. */
  async scanCaptureCode(id: string, text: string): Promise<CodePreview> {
    return this.post(CodePreviewSchema, `/api/submissions/${enc(id)}/capture-code/scan`, valid(ScanCodeRequestSchema, { text }));
  }

  /** POST /api/submissions/:id/capture-code/upload: the saved 采集码 image (multipart field `image`). */
  async uploadCaptureCode(id: string, file: UploadFile): Promise<CodePreview> {
    return this.post(CodePreviewSchema, `/api/submissions/${enc(id)}/capture-code/upload`, undefined, { file: { field: "image", ...file } });
  }

  /** POST /api/submissions/:id/capture-code/confirm: binds the previewed code to this account. */
  async confirmCaptureCode(id: string, codeToken: string) {
    return this.post(ConfirmCodeResponseSchema, `/api/submissions/${enc(id)}/capture-code/confirm`, valid(ConfirmCodeRequestSchema, { codeToken }));
  }

  /** POST /api/submissions/:id/orders: the order and the parameters for wx.requestPayment. */
  async createOrder(id: string): Promise<CreateOrderResponse> {
    return this.post(CreateOrderResponseSchema, `/api/submissions/${enc(id)}/orders`);
  }

  /** GET /api/submissions/:id/orders/current: payment status (asks WeChat Pay while pending). */
  async currentOrder(id: string): Promise<OrderStatus> {
    return this.get(OrderStatusResponseSchema, `/api/submissions/${enc(id)}/orders/current`);
  }

  /** POST /api/submissions/:id/photos?source=…: uploads a photo (field `photo`) and returns the check report. */
  async uploadPhoto(id: string, source: "CAMERA" | "ALBUM", file: UploadFile): Promise<PhotoUpload> {
    return this.post(PhotoUploadResponseSchema, `/api/submissions/${enc(id)}/photos?source=${source}`, undefined, { file: { field: "photo", ...file } });
  }

  /** POST /api/submissions/:id/photo-precheck?source=…: free quality check before paying (5 a day; 429 PRECHECK_LIMIT_REACHED); nothing is kept. */
  async precheckPhoto(id: string, source: "CAMERA" | "ALBUM", file: UploadFile): Promise<PhotoPrecheck> {
    return this.post(PhotoPrecheckResponseSchema, `/api/submissions/${enc(id)}/photo-precheck?source=${source}`, undefined, { file: { field: "photo", ...file } });
  }

  /** GET /api/submissions/:id/photos/:photoId */
  async photo(id: string, photoId: string): Promise<Photo> {
    return this.get(PhotoViewSchema, `/api/submissions/${enc(id)}/photos/${enc(photoId)}`);
  }

  /** POST …/photos/:photoId/standardize: 裁剪换背景 (3 a day; 429 STANDARDIZE_QUOTA_EXCEEDED with details.nextAllowedAt). */
  async standardize(id: string, photoId: string): Promise<StandardizeResult> {
    return this.post(StandardizeResponseSchema, `/api/submissions/${enc(id)}/photos/${enc(photoId)}/standardize`);
  }

  /** POST /api/submissions/:id/submit */
  async submit(id: string, photoId: string): Promise<Submission> {
    return this.post(SubmissionViewSchema, `/api/submissions/${enc(id)}/submit`, valid(SubmitRequestSchema, { photoId }));
  }

  /** GET /api/submissions/:id/admission-photo: the 录取照片 to confirm before the comparison. */
  async admissionPhoto(id: string): Promise<AdmissionPhoto> {
    return this.get(AdmissionPhotoSchema, `/api/submissions/${enc(id)}/admission-photo`);
  }

  /** POST /api/submissions/:id/admission-photo/confirm: runs the comparison at once. */
  async confirmAdmissionPhoto(id: string): Promise<CompareResult> {
    return this.post(CompareResponseSchema, `/api/submissions/${enc(id)}/admission-photo/confirm`);
  }

  /** POST /api/submissions/:id/admission-photo/dispute: 录取照片有误或缺失. */
  async disputeAdmissionPhoto(id: string, note = ""): Promise<Submission> {
    return this.post(SubmissionViewSchema, `/api/submissions/${enc(id)}/admission-photo/dispute`, valid(DisputeRequestSchema, { note }));
  }

  /** POST /api/submissions/:id/retake: a free retake after 审核未通过. */
  async retake(id: string): Promise<Submission> {
    return this.post(SubmissionViewSchema, `/api/submissions/${enc(id)}/retake`);
  }

  /** POST /api/subscriptions: the 订阅消息 templates accepted in wx.requestSubscribeMessage. */
  async recordSubscriptions(body: z.input<typeof SubscriptionGrantsSchema>) {
    return this.post(OkSchema, "/api/subscriptions", valid(SubscriptionGrantsSchema, body));
  }
}

/**
 * Development-only routes (registered by the API only with DEV_FAKE_WECHAT_URL, never in production):
 * an H5 build has no wx.login, no WeChat Pay cashier and no 订阅消息 dialog. The API answers with the
 * fake WeChat server's JSON and declares no response schema, so the few fields used are checked here.
 */
export class GraduateDevApi {
  constructor(readonly core: ApiCore) {}

  /** POST /api/dev/wx-login-code → a code for /api/wx/login */
  loginCode(openid?: string): Promise<z.infer<typeof DevLoginCodeSchema>> {
    return this.core.request(DevLoginCodeSchema, { method: "POST", path: "/api/dev/wx-login-code", json: openid ? { openid } : {} });
  }

  /** POST /api/dev/pay/:outTradeNo: the fake WeChat Pay pays and sends the signed notify. */
  pay(outTradeNo: string): Promise<DevPayResult> {
    return this.core.request(DevPayResultSchema, { method: "POST", path: `/api/dev/pay/${enc(outTradeNo)}`, json: {} });
  }

  /** POST /api/dev/subscriptions: the fake WeChat records an accepted 订阅消息. */
  subscribe(openid: string, templateId: string): Promise<unknown> {
    return this.core.request(DevAckSchema, { method: "POST", path: "/api/dev/subscriptions", json: valid(DevSubscriptionRequestSchema, { openid, templateId }) });
  }
}
