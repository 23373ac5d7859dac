export default definePageConfig({ navigationBarTitleText: "开发环境模拟支付" });
