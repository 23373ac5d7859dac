export default definePageConfig({ navigationBarTitleText: "照片质量检测" });
