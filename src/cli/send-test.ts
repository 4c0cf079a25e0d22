import { createHmac, randomUUID } from "node:crypto";
import type { Config } from "../config/config.js";
import { examplePayload } from "./example-payload.js";

export interface SendTestOptions {
  readonly event: "push" | "pull_request";
  readonly url: string;
  readonly secret: string;
  readonly repo: string;
  readonly branch: string;
  readonly files: readonly string[];
  readonly wait: boolean;
  readonly out: (line: string) => void;
}

interface Explained {
  deliveries?: Array<{ status: string; outcome?: string; reason: string | null; decisions: Array<{ route: string; matched: boolean; reason: string; buildId: number | null }> }>;
}

/** The default target of send-test: this config's own server, its first webhook secret. */
export function sendTestDefaults(config: Config): { url: string; secret?: string; repo: string } {
  const host = ["0.0.0.0", "::"].includes(config.server.host) ? "127.0.0.1" : config.server.host;
  const route = config.routes.find((r) => r.source.provider === "github");
  return { url: `http://${host}:${config.server.port}`, ...(config.github ? { secret: config.github.webhookSecrets[0] } : {}), repo: route?.source.repository ?? "Codertocat/Hello-World" };
}

/**
 * Signs a real example payload like GitHub does and posts it to a running buildgate; prints the
 * answer and, when the API lets us read it, each route's decision. Returns the exit code:
 * 0 accepted, 1 refused or unreachable.
 */
export async function sendTest(o: SendTestOptions): Promise<number> {
  const body = JSON.stringify(examplePayload(o.event, { repo: o.repo, branch: o.branch, files: o.files }));
  const deliveryId = randomUUID();
  const base = o.url.replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/webhooks/github`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "buildgate-send-test", "x-github-event": o.event, "x-github-delivery": deliveryId, "x-hub-signature-256": `sha256=${createHmac("sha256", o.secret).update(body).digest("hex")}` },
      body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    o.out(`could not reach ${base}: ${(err as Error).message}`);
    return 1;
  }
  o.out(`${o.event} to ${o.repo} ${o.branch}: HTTP ${res.status} ${await res.text()}`);
  if (res.status !== 202) return res.status === 200 ? 0 : 1;
  o.out(`delivery ${deliveryId}`);
  if (o.wait) await printDecisions(base, deliveryId, o.out);
  o.out(`board: ${base}/builds   explain: buildgate explain ${deliveryId}`);
  return 0;
}

async function printDecisions(base: string, deliveryId: string, out: (line: string) => void): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${base}/api/deliveries/${deliveryId}/explain`, { headers: { accept: "application/json" } }).catch(() => undefined);
    if (!res || res.status === 401 || res.status === 403) return;
    const explained = res.status === 200 ? ((await res.json()) as Explained) : {};
    const d = explained.deliveries?.[0];
    if (d && d.status !== "received") {
      out(`outcome: ${d.outcome ?? d.status}${d.reason ? ` (${d.reason})` : ""}`);
      for (const x of d.decisions) out(`  ${x.matched ? "✔" : "✘"} ${x.route}: ${x.reason}${x.buildId ? ` → ${base}/builds/${x.buildId}` : ""}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
