export default definePageConfig({ navigationBarTitleText: "审核状态", enablePullDownRefresh: true });
