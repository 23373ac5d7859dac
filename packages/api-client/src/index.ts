export { fetchTransport, type Transport, type TransportRequest, type TransportResponse } from "./transport.js";
export { ApiCore, ApiRequestError } from "./core.js";
