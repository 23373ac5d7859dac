export default definePageConfig({ navigationBarTitleText: "拍照说明" });
