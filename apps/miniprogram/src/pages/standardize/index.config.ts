export default definePageConfig({ navigationBarTitleText: "照片标准化" });
