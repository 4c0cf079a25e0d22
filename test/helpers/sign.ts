import { createHmac } from "node:crypto";

/** `sha256=` + hex HMAC-SHA256 over the exact bytes, as GitHub signs. */
export function signGithub(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
