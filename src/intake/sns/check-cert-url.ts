import { SnsVerificationError } from "./sns-message.js";

// Only SNS's own hosts: s3.amazonaws.com would let any bucket owner serve a "signing" cert (novu
// #11056), and unanchored patterns accept sns.us-east-1.amazonaws.com.evil.tld. The middle label
// must look like a region: the commonly cited /^sns\.[a-z0-9-]+\.amazonaws\.com$/ also matches
// S3 virtual-hosted buckets named "sns" (sns.s3.amazonaws.com, sns.s3-us-west-2.amazonaws.com).
const SNS_HOST = /^sns\.[a-z]{2,4}(-[a-z]+)+-[0-9]+\.amazonaws\.com(\.cn)?$/;
const CERT_PATH = /^\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/;

/**
 * Checks `SigningCertURL` before anything is fetched from it (reliability-security §2 row 5).
 * It must already be in canonical WHATWG form (so no `..`, `%2e`, `:443`, uppercase host, stray
 * `?`/`#`, tabs or backslashes), https, on an `sns.<region>.amazonaws.com[.cn]` host (region-shaped label), without
 * userinfo, port, query or fragment, with path `/SimpleNotificationService-<id>.pem`.
 * Returns the URL to fetch; anything else throws `SnsVerificationError(403)`.
 */
export function checkSigningCertUrl(url: string): URL {
  const parsed = parseHttpsUrl(url, "SigningCertURL");
  if (parsed.href !== url) throw refuse("SigningCertURL is not in canonical form");
  if (!SNS_HOST.test(parsed.hostname)) throw refuse("SigningCertURL host is not an SNS host");
  if (/[?#]/.test(url)) throw refuse("SigningCertURL has a query or fragment"); // even an empty one
  if (!CERT_PATH.test(parsed.pathname)) throw refuse("SigningCertURL path is not an SNS certificate");
  return parsed;
}

const SUBSCRIBE_PARAMS = ["Action", "Token", "TopicArn"];

/**
 * Checks a (signature-verified) `SubscribeURL` before the gateway GETs it, so a confirmation can
 * never become an SSRF probe (CVE-2019-6715, CVE-2026-32096): https, host `sns.<region>.amazonaws.com`
 * (`.cn` too) — exactly that region when `region` is given — no userinfo or port, path `/`, no
 * fragment, and exactly the query `Action=ConfirmSubscription`, `TopicArn`, `Token`.
 * Returns the URL to fetch; anything else throws `SnsVerificationError(403)`.
 */
export function checkSubscribeUrl(url: string, region?: string): URL {
  const parsed = parseHttpsUrl(url, "SubscribeURL");
  if (!isSnsHost(parsed.hostname, region)) throw refuse("SubscribeURL host is not the SNS endpoint");
  if (parsed.pathname !== "/" || parsed.hash !== "") throw refuse("SubscribeURL path is not /");
  const params = parsed.searchParams;
  const keys = [...params.keys()].sort();
  if (keys.join("&") !== SUBSCRIBE_PARAMS.join("&")) throw refuse("SubscribeURL query is not a ConfirmSubscription call");
  if (params.get("Action") !== "ConfirmSubscription") throw refuse("SubscribeURL action is not ConfirmSubscription");
  if (!params.get("TopicArn") || !params.get("Token")) throw refuse("SubscribeURL lacks TopicArn or Token");
  return parsed;
}

function isSnsHost(hostname: string, region: string | undefined): boolean {
  if (!SNS_HOST.test(hostname)) return false;
  return region === undefined || hostname === `sns.${region}.amazonaws.com` || hostname === `sns.${region}.amazonaws.com.cn`;
}

/** Parses `url` and applies the checks both URLs share: https, no userinfo, no explicit port. */
function parseHttpsUrl(url: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse(`${field} is not a URL`);
  }
  if (parsed.protocol !== "https:") throw refuse(`${field} is not https`);
  if (parsed.username !== "" || parsed.password !== "") throw refuse(`${field} has userinfo`);
  if (parsed.port !== "") throw refuse(`${field} has an explicit port`);
  return parsed;
}

function refuse(reason: string): SnsVerificationError {
  return new SnsVerificationError(403, reason);
}
