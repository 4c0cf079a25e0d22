import { randomUUID } from "node:crypto";
import { signGithub } from "../helpers/sign.js";
import type { RunningBuildgate } from "./spawn-buildgate.js";

/** Posts a signed GitHub delivery to a running buildgate. */
export async function deliverGithub(gate: RunningBuildgate, secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<{ status: number; deliveryId: string }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${gate.url}/webhooks/github`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": signGithub(secret, body) },
    body,
  });
  await res.arrayBuffer();
  return { status: res.status, deliveryId };
}

/** Polls `fn` until it returns something truthy. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
