import { createPublicKey, generateKeyPairSync, KeyObject } from "node:crypto";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCertificateSource, createPemFetcher, type CertificateSourceOptions, type FetchPem } from "../../../../src/intake/sns/cert-cache.js";
import { SnsVerificationError } from "../../../../src/intake/sns/sns-message.js";
import { selfSignedCertificate, SNS_CERT_URL, snsSigner } from "../../../fakes/sns-signer.js";

const signer = snsSigner();
const URL_A = new URL(SNS_CERT_URL);
const urlFor = (id: string) => new URL(`https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${id}.pem`);

/** A FetchPem that records every URL it is asked for and answers with `answer`. */
function recordingFetch(answer: FetchPem = async () => signer.certPem) {
  const calls: string[] = [];
  const fetchPem: FetchPem = (url, signal) => {
    calls.push(url.href);
    return answer(url, signal);
  };
  return { calls, fetchPem };
}

function source(overrides: CertificateSourceOptions = {}) {
  const fetch = recordingFetch(overrides.fetchPem);
  return { calls: fetch.calls, certificates: createCertificateSource({ ...overrides, fetchPem: fetch.fetchPem }) };
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  const err = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (err instanceof SnsVerificationError) return err.status;
  throw err;
}

const neverSettles: FetchPem = () => new Promise<string>(() => undefined);
const honoursAbort: FetchPem = (_url, signal) => new Promise<string>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));

describe("createCertificateSource", () => {
  it("fetches a certificate once and returns its RSA public key", async () => {
    const { calls, certificates } = source();
    const key = await certificates.get(URL_A);
    expect(key).toBeInstanceOf(KeyObject);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.export({ type: "spki", format: "pem" })).toBe(createPublicKey(signer.keyPem).export({ type: "spki", format: "pem" }));
    expect(calls).toEqual([URL_A.href]);
  });

  it("serves later gets for the same URL from the cache", async () => {
    const { calls, certificates } = source();
    for (let i = 0; i < 5; i++) await certificates.get(new URL(SNS_CERT_URL));
    expect(calls).toHaveLength(1);
  });

  it("shares one fetch between concurrent gets of the same URL", async () => {
    let release: (pem: string) => void = () => undefined;
    const { calls, certificates } = source({ fetchPem: () => new Promise<string>((resolve) => (release = resolve)) });
    const gets = Array.from({ length: 10 }, () => certificates.get(URL_A));
    release(signer.certPem);
    const keys = await Promise.all(gets);
    expect(calls).toHaveLength(1);
    expect(new Set(keys).size).toBe(1);
  });

  it("refetches after the TTL", async () => {
    let clock = Date.now();
    const { calls, certificates } = source({ ttlMs: 60_000, now: () => clock });
    await certificates.get(URL_A);
    clock += 59_999;
    await certificates.get(URL_A);
    expect(calls).toHaveLength(1);
    clock += 2;
    await certificates.get(URL_A);
    expect(calls).toHaveLength(2);
  });

  it("keeps at most maxEntries certificates, evicting the least recently used", async () => {
    const { calls, certificates } = source({ maxEntries: 2 });
    const [a, b, c] = [urlFor("a"), urlFor("b"), urlFor("c")];
    await certificates.get(a);
    await certificates.get(b);
    await certificates.get(a); // a is now the most recently used
    await certificates.get(c); // evicts b
    expect(calls).toEqual([a.href, b.href, c.href]);
    await certificates.get(a);
    await certificates.get(c);
    expect(calls).toHaveLength(3);
    await certificates.get(b);
    expect(calls).toEqual([a.href, b.href, c.href, b.href]);
  });

  it("bounds the cache under a flood of distinct URLs", async () => {
    const { calls, certificates } = source({ maxEntries: 3 });
    for (let i = 0; i < 20; i++) await certificates.get(urlFor(`x${i}`));
    await certificates.get(urlFor("x19"));
    await certificates.get(urlFor("x17"));
    expect(calls).toHaveLength(20);
    await certificates.get(urlFor("x16"));
    expect(calls).toHaveLength(21);
  });

  it.each([
    { name: "honours the AbortSignal", fetchPem: honoursAbort },
    { name: "ignores the AbortSignal", fetchPem: neverSettles },
  ])("answers 503 when a fetch that $name times out", async ({ fetchPem }) => {
    const { certificates } = source({ fetchPem, timeoutMs: 20 });
    const started = Date.now();
    expect(await statusOf(certificates.get(URL_A))).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("passes the fetch a signal that aborts after timeoutMs", async () => {
    const signals: AbortSignal[] = [];
    const { certificates } = source({ timeoutMs: 20, fetchPem: (url, signal) => (signals.push(signal), honoursAbort(url, signal)) });
    await statusOf(certificates.get(URL_A));
    expect(signals[0]?.aborted).toBe(true);
  });

  it("answers 503 with a fixed reason when the fetch fails, and does not cache the failure", async () => {
    let fail = true;
    const { calls, certificates } = source({ fetchPem: async () => (fail ? Promise.reject(new Error("ECONNRESET")) : signer.certPem) });
    const err = await certificates.get(URL_A).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnsVerificationError);
    expect(err).toMatchObject({ status: 503, message: "could not fetch signing certificate" });
    fail = false;
    await expect(certificates.get(URL_A)).resolves.toBeInstanceOf(KeyObject);
    expect(calls).toHaveLength(2);
  });

  it.each([
    { name: "garbage", pem: "not a certificate" },
    { name: "empty", pem: "" },
    { name: "a private key", pem: signer.keyPem },
    { name: "a truncated certificate", pem: signer.certPem.slice(0, 200) },
    { name: "a corrupted certificate", pem: signer.certPem.replace(/[A-Za-z](?=[^\n]*\n-----END)/, "!") },
  ])("answers 403 when the body is $name, and does not cache it", async ({ pem }) => {
    const { calls, certificates } = source({ fetchPem: async () => pem });
    expect(await statusOf(certificates.get(URL_A))).toBe(403);
    expect(await statusOf(certificates.get(URL_A))).toBe(403);
    expect(calls).toHaveLength(2);
  });

  it("answers 403 when the fetched body is larger than maxBytes", async () => {
    const { certificates } = source({ maxBytes: 1024, fetchPem: async () => signer.certPem + " ".repeat(1024) });
    await expect(certificates.get(URL_A)).rejects.toMatchObject({ status: 403, reason: "signing certificate is too large" });
  });

  it("answers 403 for a certificate outside its validity period", async () => {
    const day = 86_400_000;
    const later = source({ now: () => Date.now() + 31 * day });
    expect(await statusOf(later.certificates.get(URL_A))).toBe(403);
    const earlier = source({ now: () => Date.now() - day });
    expect(await statusOf(earlier.certificates.get(URL_A))).toBe(403);
  });

  it("answers 403 for a valid certificate whose key is not RSA", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecCert = selfSignedCertificate(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const { certificates } = source({ fetchPem: async () => ecCert });
    await expect(certificates.get(URL_A)).rejects.toMatchObject({ status: 403, reason: "signing certificate key is not RSA" });
  });

  it("serves a pinned certificate without ever fetching", async () => {
    const { calls, certificates } = source({ pinned: new Map([[SNS_CERT_URL, signer.certPem]]), fetchPem: async () => Promise.reject(new Error("must not fetch")) });
    for (let i = 0; i < 3; i++) await expect(certificates.get(new URL(SNS_CERT_URL))).resolves.toBeInstanceOf(KeyObject);
    expect(calls).toEqual([]);
  });

  it("still fetches URLs that are not pinned", async () => {
    const { calls, certificates } = source({ pinned: new Map([[SNS_CERT_URL, signer.certPem]]) });
    await certificates.get(urlFor("other"));
    expect(calls).toEqual([urlFor("other").href]);
  });

  it("refuses an invalid pinned PEM when it is created", () => {
    expect(() => createCertificateSource({ pinned: new Map([[SNS_CERT_URL, "nope"]]) })).toThrow(SnsVerificationError);
  });
});

describe("createPemFetcher (global fetch against a local server)", () => {
  let server: Server;
  let handler: RequestListener = (_req, res) => res.end(signer.certPem);
  let base = "";

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fetchFrom = (path: string, maxBytes = 4096, timeoutMs = 2000) => createPemFetcher(maxBytes)(new URL(path, base), AbortSignal.timeout(timeoutMs));

  it("reads a 200 body as text", async () => {
    handler = (_req, res) => res.end(signer.certPem);
    await expect(fetchFrom("/cert.pem")).resolves.toBe(signer.certPem);
  });

  it.each([404, 500, 204])("rejects status %i", async (status) => {
    handler = (_req, res) => res.writeHead(status).end(status === 204 ? undefined : "x");
    await expect(fetchFrom("/cert.pem")).rejects.toThrow();
  });

  it("does not follow redirects", async () => {
    const hits: string[] = [];
    handler = (req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/cert.pem") res.writeHead(302, { location: "/elsewhere.pem" }).end();
      else res.end(signer.certPem);
    };
    await expect(fetchFrom("/cert.pem")).rejects.toThrow();
    expect(hits).toEqual(["/cert.pem"]);
  });

  it("refuses a declared Content-Length over maxBytes with 403", async () => {
    handler = (_req, res) => res.writeHead(200, { "content-length": 5000 }).end("x".repeat(5000));
    await expect(fetchFrom("/cert.pem")).rejects.toMatchObject({ status: 403 });
  });

  it("stops reading a chunked body once it passes maxBytes", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write("x".repeat(1000)), 1);
      res.on("close", () => clearInterval(timer));
    };
    await expect(fetchFrom("/cert.pem")).rejects.toMatchObject({ status: 403 });
  });

  it("rejects when the signal aborts mid-request", async () => {
    handler = () => undefined; // never answers
    await expect(fetchFrom("/cert.pem", 4096, 30)).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("as the default fetcher, maps an unreachable host to 503", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const certificates = createCertificateSource({ timeoutMs: 2000 });
    expect(await statusOf(certificates.get(new URL(`http://127.0.0.1:${port}/x.pem`)))).toBe(503);
  });
});
