export default definePageConfig({ navigationBarTitleText: "毕业照片采集" });
