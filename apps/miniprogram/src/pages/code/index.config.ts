export default definePageConfig({ navigationBarTitleText: "上传采集码" });
