import { verify } from "node:crypto";
import { snsCanonicalString } from "./canonical-string.js";
import type { CertificateSource } from "./cert-cache.js";
import { checkSigningCertUrl } from "./check-cert-url.js";
import { SnsVerificationError, type SnsMessage } from "./sns-message.js";

export { SnsVerificationError } from "./sns-message.js";

export interface SnsVerifyDeps {
  certificates: Pick<CertificateSource, "get">;
  /** Anyone can subscribe our URL to their topic; a valid signature only proves it came through SNS. */
  allowedTopicArns: readonly string[];
}

// SignatureVersion 1 is SHA1withRSA (the topic default), 2 is SHA256withRSA.
const ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ["1", "RSA-SHA1"],
  ["2", "RSA-SHA256"],
]);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Authenticates a parsed SNS message, resolving only if SNS signed it for an allowed topic.
 * Cheap checks run first so forged or foreign messages cost no outbound request:
 * 1. SignatureVersion is "1" or "2"                       → else 403
 * 2. SigningCertURL passes `checkSigningCertUrl`          → else 403
 * 3. TopicArn is allow-listed                             → else 403
 * 4. fetch/cache the certificate                          → 403 invalid, 503 unreachable
 * 5. RSA signature over `snsCanonicalString(msg)` holds   → else 401
 * Throws `SnsVerificationError` whose `status` is the HTTP answer.
 */
export async function verifySnsMessage(msg: SnsMessage, deps: SnsVerifyDeps): Promise<void> {
  const algorithm = ALGORITHMS.get(msg.SignatureVersion);
  if (algorithm === undefined) throw new SnsVerificationError(403, "unsupported SignatureVersion");
  const certUrl = checkSigningCertUrl(msg.SigningCertURL);
  if (!deps.allowedTopicArns.includes(msg.TopicArn)) throw new SnsVerificationError(403, "topic not allowed");
  const key = await deps.certificates.get(certUrl);
  if (!signatureHolds(algorithm, msg, key)) throw new SnsVerificationError(401, "signature does not verify");
}

function signatureHolds(algorithm: string, msg: SnsMessage, key: Parameters<typeof verify>[2]): boolean {
  if (!BASE64.test(msg.Signature)) return false;
  try {
    return verify(algorithm, Buffer.from(snsCanonicalString(msg), "utf8"), key, Buffer.from(msg.Signature, "base64"));
  } catch {
    return false; // e.g. a signature of the wrong length for the key
  }
}
