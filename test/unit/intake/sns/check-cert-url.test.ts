import { checkSigningCertUrl, checkSubscribeUrl } from "../../../../src/intake/sns/check-cert-url.js";
import { SnsVerificationError } from "../../../../src/intake/sns/sns-message.js";
import { SNS_CERT_URL, SNS_CERT_URL_ATTACKS, SNS_TOPIC_ARN } from "../../../fakes/sns-signer.js";

const PEM = "/SimpleNotificationService-0123456789abcdef.pem";

function refusal(check: () => unknown): SnsVerificationError {
  try {
    check();
  } catch (err) {
    if (err instanceof SnsVerificationError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}


describe("checkSigningCertUrl", () => {
  it.each([
    { name: "us-east-1", url: SNS_CERT_URL },
    { name: "real AWS form", url: "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem" },
    { name: "China partition", url: `https://sns.cn-north-1.amazonaws.com.cn${PEM}` },
    { name: "GovCloud", url: `https://sns.us-gov-west-1.amazonaws.com${PEM}` },
    { name: "newer region", url: `https://sns.ap-southeast-5.amazonaws.com${PEM}` },
    { name: "ISO partition region", url: `https://sns.us-isob-east-1.amazonaws.com${PEM}` },
    { name: "mixed-case id in the path", url: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-AbC123.pem" },
  ])("accepts the $name cert URL and returns it parsed", ({ url }) => {
    const parsed = checkSigningCertUrl(url);
    expect(parsed).toBeInstanceOf(URL);
    expect(parsed.href).toBe(url);
  });

  it.each(SNS_CERT_URL_ATTACKS)("refuses $name with 403", ({ url }) => {
    expect(refusal(() => checkSigningCertUrl(url)).status).toBe(403);
  });
});

const TOKEN = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736";
const GOOD = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=${TOKEN}`;
const QUERY = `?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=${TOKEN}`;

describe("checkSubscribeUrl", () => {
  it.each([
    { name: "good URL", url: GOOD, region: undefined },
    { name: "good URL for its region", url: GOOD, region: "us-east-1" },
    { name: "reordered query", url: `https://sns.us-east-1.amazonaws.com/?Token=${TOKEN}&TopicArn=${SNS_TOPIC_ARN}&Action=ConfirmSubscription`, region: undefined },
    { name: "China partition", url: `https://sns.cn-north-1.amazonaws.com.cn/${QUERY}`, region: "cn-north-1" },
  ])("accepts the $name", ({ url, region }) => {
    expect(checkSubscribeUrl(url, region).searchParams.get("Token")).toBe(TOKEN);
  });

  it.each([
    { name: "other host", url: `https://evil.tld/${QUERY}` },
    { name: "metadata service", url: `http://169.254.169.254/latest/meta-data/${QUERY}` },
    { name: "suffix domain", url: `https://sns.us-east-1.amazonaws.com.evil.tld/${QUERY}` },
    { name: "s3 host", url: `https://s3.amazonaws.com/${QUERY}` },
    { name: "S3 bucket named sns", url: `https://sns.s3.amazonaws.com/${QUERY}` },
    { name: "other region than expected", url: `https://sns.eu-west-1.amazonaws.com/${QUERY}`, region: "us-east-1" },
    { name: "region smuggling a dot", url: `https://sns.us-east-1.evil.amazonaws.com/${QUERY}`, region: "us-east-1.evil" },
    { name: "http", url: GOOD.replace("https:", "http:") },
    { name: "other path", url: `https://sns.us-east-1.amazonaws.com/admin${QUERY}` },
    { name: "missing Action", url: `https://sns.us-east-1.amazonaws.com/?TopicArn=${SNS_TOPIC_ARN}&Token=${TOKEN}` },
    { name: "other Action", url: GOOD.replace("ConfirmSubscription", "Unsubscribe") },
    { name: "missing Token", url: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}` },
    { name: "empty Token", url: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=` },
    { name: "missing TopicArn", url: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=${TOKEN}` },
    { name: "duplicated Action", url: `${GOOD}&Action=Unsubscribe` },
    { name: "extra parameter", url: `${GOOD}&Callback=https://evil.tld` },
    { name: "userinfo", url: GOOD.replace("https://", "https://user@") },
    { name: "port", url: GOOD.replace("amazonaws.com/", "amazonaws.com:8443/") },
    { name: "hash", url: `${GOOD}#x` },
    { name: "empty", url: "" },
  ])("refuses $name with 403", ({ url, region }: { url: string; region?: string }) => {
    expect(refusal(() => checkSubscribeUrl(url, region)).status).toBe(403);
  });
});
