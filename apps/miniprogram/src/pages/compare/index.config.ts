export default definePageConfig({ navigationBarTitleText: "人像比对结果" });
