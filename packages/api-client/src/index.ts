export { fetchTransport, type Transport, type TransportRequest, type TransportResponse } from "./transport.js";
export { ApiCore, ApiRequestError } from "./core.js";
export { GraduateApi, GraduateDevApi, type UploadFile, type CampaignPublic, type ConsentText, type Submission, type SubmissionState, type CodePreview, type CreateOrderResponse, type OrderStatus, type PhotoPrecheck, type PhotoUpload, type Photo, type PhotoCheck, type StandardizeResult, type AdmissionPhoto, type CompareResult, type Comparison, type WxLoginResponse } from "./graduate.js";
export { StaffApi } from "./staff.js";
