export default definePageConfig({ navigationBarTitleText: "拍摄照片" });
