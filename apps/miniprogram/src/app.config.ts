// Every page of the flow, in order. The development payment page exists only in H5 builds.
const pages = [
  "pages/index/index",
  "pages/login/index",
  "pages/notice/index",
  "pages/code/index",
  "pages/code-confirm/index",
  "pages/pay/index",
  "pages/pay-success/index",
  "pages/guide/index",
  "pages/permission/index",
  "pages/capture/index",
  "pages/check/index",
  "pages/standardize/index",
  "pages/submit/index",
  "pages/admission/index",
  "pages/compare/index",
  "pages/status/index",
  "pages/contact/index",
  ...(process.env.TARO_ENV === "h5" ? ["pages/dev-pay/index"] : []),
];

export default defineAppConfig({
  pages,
  window: {
    backgroundTextStyle: "dark",
    navigationBarBackgroundColor: "#1d4ed8",
    navigationBarTitleText: "毕业照片采集",
    navigationBarTextStyle: "white",
    backgroundColor: "#f3f6fb",
  },
  // The camera scope (scope.camera) needs no declaration here: the permission page asks with wx.authorize.
  lazyCodeLoading: "requiredComponents",
});
