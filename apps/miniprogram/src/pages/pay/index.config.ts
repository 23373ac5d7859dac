export default definePageConfig({ navigationBarTitleText: "费用支付" });
