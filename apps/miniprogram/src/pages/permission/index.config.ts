export default definePageConfig({ navigationBarTitleText: "摄像头权限" });
