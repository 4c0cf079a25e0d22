import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface EventBridgeAuth {
  readonly apiKeyHeader?: string;
  readonly apiKey?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare against the expected value's length either way, so timing says nothing about it.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

/**
 * An EventBridge API destination authenticates with a connection: an API key header, or basic
 * auth. Either configured method admits the request; comparisons are constant-time.
 */
export function checkEventBridgeAuth(auth: EventBridgeAuth, headers: IncomingHttpHeaders): boolean {
  if (auth.apiKeyHeader && auth.apiKey) {
    const given = headers[auth.apiKeyHeader.toLowerCase()];
    if (typeof given === "string" && same(given, auth.apiKey)) return true;
  }
  if (auth.basicAuth) {
    const header = headers.authorization ?? "";
    if (header.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        const userOk = same(decoded.slice(0, colon), auth.basicAuth.username);
        const passOk = same(decoded.slice(colon + 1), auth.basicAuth.password);
        if (userOk && passOk) return true;
      }
    }
  }
  return false;
}
