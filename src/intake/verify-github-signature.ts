import { verifyWithFallback } from "@octokit/webhooks-methods";

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * Checks `X-Hub-Signature-256` over the raw body against every configured secret (rotation),
 * in constant time (@octokit/webhooks-methods). A missing, malformed, sha1-only or wrong
 * signature is false, never a throw.
 */
export async function verifyGithubSignature(secrets: readonly string[], rawBody: string, signature: string | undefined): Promise<boolean> {
  if (!signature || !SIGNATURE.test(signature) || rawBody.length === 0) return false;
  const [first, ...rest] = secrets;
  if (first === undefined) return false;
  return verifyWithFallback(first, rawBody, signature, rest);
}
