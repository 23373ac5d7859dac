export default definePageConfig({ navigationBarTitleText: "确认录取照片" });
