import { GithubError, notFound, paginate } from "./github-fake-shapes.js";

// Webhooks and their deliveries for github-fake.ts, modelled on GitHub's REST API (2022-11-28):
// GET /repos/{o}/{r}/hooks, GET …/hooks/{id}/deliveries (newest first, `cursor` pagination),
// POST …/hooks/{id}/deliveries/{delivery_id}/attempts; the same under /orgs/{org}.

/** Whose hook: a repository ("owner/name") or an organization. */
export type FakeHookOwner = { readonly repo: string } | { readonly org: string };

/** A delivery attempt as a test describes it. */
export interface FakeHookDelivery {
  readonly guid: string;
  readonly event?: string;
  readonly action?: string | null;
  /** "OK" (default) or a failure text such as "Invalid HTTP Response: 503" or "timed out". */
  readonly status?: string;
  /** Default 200 for OK, 503 otherwise; 0 for a timeout. */
  readonly statusCode?: number;
  readonly redelivery?: boolean;
  /** Epoch ms; default now. */
  readonly deliveredAt?: number;
}

/** One accepted `POST …/attempts`. */
export interface RecordedRedelivery {
  readonly hookId: number;
  readonly deliveryId: number;
  readonly guid: string;
  readonly at: number;
}

interface StoredDelivery extends Required<Omit<FakeHookDelivery, "action">> {
  readonly id: number;
  readonly action: string | null;
}

interface StoredHook {
  readonly id: number;
  readonly owner: string;
  readonly url: string;
  readonly active: boolean;
  readonly deliveries: StoredDelivery[];
}

export interface FakeHooks {
  /** Adds a webhook; returns its id. */
  addHook(owner: FakeHookOwner, hook: { url: string; id?: number; active?: boolean }): number;
  /** Records a delivery attempt of hook `hookId`; returns the attempt's id. */
  addDelivery(hookId: number, delivery: FakeHookDelivery): number;
  /** Every accepted redelivery request, in order. */
  readonly redeliveries: RecordedRedelivery[];
  /** What a redelivery's new attempt records (default "OK"); `onRedeliver` runs for each one. */
  setRedeliveryOutcome(status: string, onRedeliver?: (guid: string) => void): void;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
export type HookRoute = [string, RegExp, (params: string[], req: { url: URL; body: unknown }) => Answer];

const ownerKey = (o: FakeHookOwner) => ("repo" in o ? `repo:${o.repo}` : `org:${o.org}`).toLowerCase();

function hookJson(h: StoredHook) {
  const base = h.owner.startsWith("org:") ? `https://api.github.com/orgs/${h.owner.slice(4)}` : `https://api.github.com/repos/${h.owner.slice(5)}`;
  return {
    type: h.owner.startsWith("org:") ? "Organization" : "Repository",
    id: h.id,
    name: "web",
    active: h.active,
    events: ["push", "pull_request", "issue_comment"],
    config: { content_type: "json", insecure_ssl: "0", url: h.url },
    updated_at: "2024-01-01T00:00:00Z",
    created_at: "2024-01-01T00:00:00Z",
    url: `${base}/hooks/${h.id}`,
    ping_url: `${base}/hooks/${h.id}/pings`,
    deliveries_url: `${base}/hooks/${h.id}/deliveries`,
    last_response: { code: null, status: "unused", message: null },
  };
}

const deliveryJson = (d: StoredDelivery) => ({
  id: d.id,
  guid: d.guid,
  delivered_at: new Date(d.deliveredAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
  redelivery: d.redelivery,
  duration: 0.27,
  status: d.status,
  status_code: d.statusCode,
  event: d.event,
  action: d.action,
  installation_id: null,
  repository_id: 1296269,
  throttled_at: null,
});

export function createFakeHooks(): { hooks: FakeHooks; routes: HookRoute[] } {
  const byId = new Map<number, StoredHook>();
  const redeliveries: RecordedRedelivery[] = [];
  let nextHookId = 400_000;
  let nextDeliveryId = 9_000_000_000;
  let outcome = { status: "OK", onRedeliver: undefined as ((guid: string) => void) | undefined };

  const hookOf = (owner: string, id: string) => {
    const hook = byId.get(Number(id));
    if (!hook || hook.owner !== owner.toLowerCase()) throw notFound();
    return hook;
  };
  const store = (hook: StoredHook, d: FakeHookDelivery): number => {
    const status = d.status ?? "OK";
    const id = ++nextDeliveryId;
    hook.deliveries.push({ id, guid: d.guid, event: d.event ?? "push", action: d.action ?? null, status, statusCode: d.statusCode ?? (status === "OK" ? 200 : 503), redelivery: d.redelivery ?? false, deliveredAt: d.deliveredAt ?? Date.now() });
    return id;
  };

  function listHooks(owner: string, url: URL): Answer {
    const { page, link } = paginate([...byId.values()].filter((h) => h.owner === owner.toLowerCase()).map(hookJson), url);
    return { status: 200, body: page, ...(link && { headers: { link } }) };
  }

  /** Newest first; `cursor` is opaque to clients (here: where the next page starts), `per_page` ≤ 100. */
  function listDeliveries(owner: string, id: string, url: URL): Answer {
    const hook = hookOf(owner, id);
    const perPage = Math.min(100, Math.max(1, Number.parseInt(url.searchParams.get("per_page") ?? "30", 10) || 30));
    const cursor = url.searchParams.get("cursor");
    let offset = 0;
    if (cursor !== null) {
      const m = /^v1_(\d+)$/.exec(cursor);
      if (!m) throw new GithubError(400, { message: "Invalid cursor", documentation_url: "https://docs.github.com/rest/repos/webhooks" });
      offset = Number(m[1]);
    }
    const all = [...hook.deliveries].sort((a, b) => b.deliveredAt - a.deliveredAt || b.id - a.id);
    const page = all.slice(offset, offset + perPage).map(deliveryJson);
    if (offset + perPage >= all.length) return { status: 200, body: page };
    const next = new URL(url);
    next.searchParams.set("cursor", `v1_${offset + perPage}`);
    return { status: 200, body: page, headers: { link: `<${next.href}>; rel="next"` } };
  }

  function redeliver(owner: string, id: string, deliveryId: string): Answer {
    const hook = hookOf(owner, id);
    const original = hook.deliveries.find((d) => d.id === Number(deliveryId));
    if (!original) throw notFound();
    redeliveries.push({ hookId: hook.id, deliveryId: original.id, guid: original.guid, at: Date.now() });
    store(hook, { guid: original.guid, event: original.event, action: original.action, status: outcome.status, redelivery: true });
    outcome.onRedeliver?.(original.guid);
    return { status: 202, body: {} };
  }

  const seg = "([^/]+)";
  const repo = (o: string, r: string) => `repo:${o}/${r}`;
  const routes: HookRoute[] = [
    ["GET", new RegExp(`^/repos/${seg}/${seg}/hooks$`), ([o = "", r = ""], { url }) => listHooks(repo(o, r), url)],
    ["GET", new RegExp(`^/repos/${seg}/${seg}/hooks/(\\d+)/deliveries$`), ([o = "", r = "", id = ""], { url }) => listDeliveries(repo(o, r), id, url)],
    ["POST", new RegExp(`^/repos/${seg}/${seg}/hooks/(\\d+)/deliveries/(\\d+)/attempts$`), ([o = "", r = "", id = "", d = ""]) => redeliver(repo(o, r), id, d)],
    ["GET", new RegExp(`^/orgs/${seg}/hooks$`), ([org = ""], { url }) => listHooks(`org:${org}`, url)],
    ["GET", new RegExp(`^/orgs/${seg}/hooks/(\\d+)/deliveries$`), ([org = "", id = ""], { url }) => listDeliveries(`org:${org}`, id, url)],
    ["POST", new RegExp(`^/orgs/${seg}/hooks/(\\d+)/deliveries/(\\d+)/attempts$`), ([org = "", id = "", d = ""]) => redeliver(`org:${org}`, id, d)],
  ];

  const hooks: FakeHooks = {
    addHook(owner, h) {
      const id = h.id ?? ++nextHookId;
      byId.set(id, { id, owner: ownerKey(owner), url: h.url, active: h.active ?? true, deliveries: [] });
      return id;
    },
    addDelivery(hookId, d) {
      const hook = byId.get(hookId);
      if (!hook) throw new Error(`no hook ${hookId}`);
      return store(hook, d);
    },
    redeliveries,
    setRedeliveryOutcome(status, onRedeliver) {
      outcome = { status, onRedeliver };
    },
  };
  return { hooks, routes };
}
