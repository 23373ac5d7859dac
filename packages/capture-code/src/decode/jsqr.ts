import jsqrImport from "jsqr";

/** jsQR's entry point. The package is CommonJS with `exports.default`; under NodeNext its default
 *  import is typed as the module object, while at runtime it is the function itself. */
type JsQrFn = (typeof jsqrImport)["default"];
export const jsQR: JsQrFn =
  typeof jsqrImport === "function" ? (jsqrImport as unknown as JsQrFn) : (jsqrImport as { default: JsQrFn }).default;
export type { QRCode } from "jsqr";
