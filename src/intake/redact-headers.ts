import type { IncomingHttpHeaders } from "node:http";

// Only these headers are stored with a delivery: never signatures, cookies or authorization.
const KEPT = /^(x-github-(event|delivery|hook-id|hook-installation-target-(type|id)|enterprise-(version|host))|user-agent|content-type|content-length)$/;

/** The headers worth keeping with a delivery, secrets left out. */
export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && KEPT.test(name)) kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}
