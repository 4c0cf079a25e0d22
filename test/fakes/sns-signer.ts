import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign as rsaSign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snsCanonicalString } from "../../src/intake/sns/canonical-string.js";
import type { SnsMessage, UnsignedSnsMessage } from "../../src/intake/sns/sns-message.js";

export const SNS_CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem";
export const SNS_TOPIC_ARN = "arn:aws:sns:us-east-1:111122223333:codecommit-events";

const PEM = "/SimpleNotificationService-0123456789abcdef.pem";

/** SigningCertURL attacks (reliability-security §2 row 5), each of which must be refused with 403 before any fetch. */
export const SNS_CERT_URL_ATTACKS: ReadonlyArray<{ name: string; url: string }> = [
  { name: "http scheme", url: `http://sns.us-east-1.amazonaws.com${PEM}` },
  { name: "uppercase scheme", url: `HTTPS://sns.us-east-1.amazonaws.com${PEM}` },
  { name: "s3 host (any bucket)", url: `https://s3.amazonaws.com${PEM}` },
  { name: "S3 bucket named sns", url: `https://sns.s3.amazonaws.com${PEM}` },
  { name: "S3 bucket named sns, legacy regional", url: `https://sns.s3-us-west-2.amazonaws.com${PEM}` },
  { name: "S3 bucket named sns, website", url: `https://sns.s3-website-us-east-1.amazonaws.com${PEM}` },
  { name: "S3 bucket named sns, accelerate", url: `https://sns.s3-accelerate.amazonaws.com${PEM}` },
  { name: "non-region label", url: `https://sns.evil.amazonaws.com${PEM}` },
  { name: "suffix domain", url: `https://sns.us-east-1.amazonaws.com.evil.tld${PEM}` },
  { name: "host in the path", url: `https://evil.tld/sns.us-east-1.amazonaws.com${PEM}` },
  { name: "prefix domain", url: `https://evilsns.us-east-1.amazonaws.com${PEM}` },
  { name: "userinfo", url: `https://user@sns.us-east-1.amazonaws.com${PEM}` },
  { name: "userinfo with password", url: `https://a:b@sns.us-east-1.amazonaws.com${PEM}` },
  { name: "host as userinfo", url: `https://sns.us-east-1.amazonaws.com@evil.tld${PEM}` },
  { name: "explicit port", url: `https://sns.us-east-1.amazonaws.com:8443${PEM}` },
  { name: "explicit default port", url: `https://sns.us-east-1.amazonaws.com:443${PEM}` },
  { name: "query", url: `${SNS_CERT_URL}?x=1` },
  { name: "empty query", url: `${SNS_CERT_URL}?` },
  { name: "hash", url: `${SNS_CERT_URL}#frag` },
  { name: "empty hash", url: `${SNS_CERT_URL}#` },
  { name: "path not .pem", url: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.txt" },
  { name: "other .pem name", url: "https://sns.us-east-1.amazonaws.com/evil.pem" },
  { name: "nested .pem", url: `https://sns.us-east-1.amazonaws.com/dir${PEM}` },
  { name: "path traversal", url: "https://sns.us-east-1.amazonaws.com/../x.pem" },
  { name: "traversal to a real name", url: `https://sns.us-east-1.amazonaws.com/a/..${PEM}` },
  { name: "encoded traversal", url: `https://sns.us-east-1.amazonaws.com/%2e%2e${PEM}` },
  { name: "encoded slash", url: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-%2F.pem" },
  { name: "backslash path", url: `https://sns.us-east-1.amazonaws.com\\${PEM.slice(1)}` },
  { name: "uppercase host", url: `https://SNS.US-EAST-1.AMAZONAWS.COM${PEM}` },
  { name: "uppercase suffix domain", url: `https://sns.us-east-1.amazonaws.com.EVIL.tld${PEM}` },
  { name: "uppercase .PEM", url: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.PEM" },
  { name: "IPv4 address", url: `https://54.239.28.85${PEM}` },
  { name: "metadata IP", url: `https://169.254.169.254${PEM}` },
  { name: "IPv6 address", url: `https://[::1]${PEM}` },
  { name: "unicode lookalike host (Cyrillic s)", url: `https://\u0455ns.us-east-1.amazonaws.com${PEM}` },
  { name: "fullwidth dots", url: `https://sns\uff0eus-east-1\uff0eamazonaws\uff0ecom${PEM}` },
  { name: "tab inside the host", url: `https://sns.us-east-1.amazon\taws.com${PEM}` },
  { name: "trailing dot host", url: `https://sns.us-east-1.amazonaws.com.${PEM}` },
  { name: "leading whitespace", url: ` ${SNS_CERT_URL}` },
  { name: "protocol-relative", url: `//sns.us-east-1.amazonaws.com${PEM}` },
  { name: "no host", url: `https:///SimpleNotificationService-0123456789abcdef.pem` },
  { name: "file scheme", url: "file:///etc/passwd.pem" },
  { name: "data URL", url: "data:text/plain,-----BEGIN CERTIFICATE-----" },
  { name: "empty", url: "" },
  { name: "garbage", url: "not a url" },
];

export type SignatureVersion = "1" | "2";

/** Signs like SNS does, with a real RSA key whose self-signed certificate stands in for AWS's. */
export interface SnsSigner {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certUrl: string;
  /** Sets `SignatureVersion` and signs the canonical string: a message `verifySnsMessage` accepts. */
  sign(msg: UnsignedSnsMessage, version?: SignatureVersion): SnsMessage;
  /** Base64 signature over arbitrary text, for messages signed over a wrong canonical string. */
  signText(text: string, version: SignatureVersion): string;
}

const ALGORITHM = { "1": "RSA-SHA1", "2": "RSA-SHA256" } as const;

let shared: SnsSigner | undefined;

/** The process-wide signer (key generation and openssl run once). */
export function snsSigner(): SnsSigner {
  shared ??= createSnsSigner();
  return shared;
}

/** A fresh key pair and certificate, e.g. to sign with the "wrong" key. */
export function createSnsSigner(): SnsSigner {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const certPem = selfSignedCertificate(keyPem);
  const signText = (text: string, version: SignatureVersion) => rsaSign(ALGORITHM[version], Buffer.from(text, "utf8"), privateKey).toString("base64");
  return {
    certPem,
    keyPem,
    certUrl: SNS_CERT_URL,
    signText,
    sign(msg, version = "1") {
      const unsigned = { ...msg, SignatureVersion: version } as UnsignedSnsMessage;
      return { ...unsigned, Signature: signText(snsCanonicalString(unsigned), version) } as SnsMessage;
    },
  };
}

/**
 * Node 20's crypto cannot issue certificates, so this shells out to the `openssl` CLI:
 * `openssl req -x509` over the given private key (any type), valid from now for `days`.
 */
export function selfSignedCertificate(keyPem: string, days = 30): string {
  const dir = mkdtempSync(join(tmpdir(), "sns-signer-"));
  try {
    writeFileSync(join(dir, "key.pem"), keyPem, { mode: 0o600 });
    execFileSync("openssl", ["req", "-x509", "-new", "-key", join(dir, "key.pem"), "-subj", "/CN=sns.amazonaws.com", "-days", String(days), "-out", join(dir, "cert.pem")], { stdio: "pipe" });
    return readFileSync(join(dir, "cert.pem"), "utf8");
  } catch (err) {
    throw new Error("sns-signer needs the openssl CLI to make a test certificate", { cause: err });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Notification = Extract<UnsignedSnsMessage, { Type: "Notification" }>;
type Confirmation = Extract<UnsignedSnsMessage, { Type: "SubscriptionConfirmation" | "UnsubscribeConfirmation" }>;

const TOKEN = "2336412f37fb687f5d51e6e241d08a5a4e6f0f1e4c2d3b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2918";

/** An unsigned Notification (no Subject unless given) carrying a CodeCommit trigger payload. */
export function snsNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    Type: "Notification",
    MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    TopicArn: SNS_TOPIC_ARN,
    Message: JSON.stringify({ Records: [{ eventSource: "aws:codecommit", eventName: "ReferenceChanges" }] }),
    Timestamp: "2026-05-01T12:00:00.000Z",
    SignatureVersion: "1",
    SigningCertURL: SNS_CERT_URL,
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SNS_TOPIC_ARN}:c9135db0-26c4-47ec-8998-413945fb5a96`,
    ...overrides,
  };
}

function confirmation(type: Confirmation["Type"], overrides: Partial<Confirmation>): Confirmation {
  return {
    Type: type,
    MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
    Token: TOKEN,
    TopicArn: SNS_TOPIC_ARN,
    Message: `You have chosen to subscribe to the topic ${SNS_TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SNS_TOPIC_ARN}&Token=${TOKEN}`,
    Timestamp: "2026-05-01T12:00:00.000Z",
    SignatureVersion: "1",
    SigningCertURL: SNS_CERT_URL,
    ...overrides,
  };
}

/** An unsigned SubscriptionConfirmation for the default topic. */
export function snsSubscriptionConfirmation(overrides: Partial<Confirmation> = {}): Confirmation {
  return confirmation("SubscriptionConfirmation", overrides);
}

/** An unsigned UnsubscribeConfirmation (it carries Token and SubscribeURL too, both signed). */
export function snsUnsubscribeConfirmation(overrides: Partial<Confirmation> = {}): Confirmation {
  return confirmation("UnsubscribeConfirmation", overrides);
}
