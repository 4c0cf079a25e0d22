import { X509Certificate, type KeyObject } from "node:crypto";
import { SnsVerificationError } from "./sns-message.js";

/** Downloads a PEM; must settle (or reject) once `signal` aborts. */
export type FetchPem = (url: URL, signal: AbortSignal) => Promise<string>;

export interface CertificateSourceOptions {
  /** Certificates known up front, by SigningCertURL: never fetched (air-gapped or pinned deployments). */
  pinned?: ReadonlyMap<string, string>;
  fetchPem?: FetchPem;
  timeoutMs?: number;
  maxEntries?: number;
  ttlMs?: number;
  maxBytes?: number;
  now?: () => number;
}

/** Narrow contract for `verifySnsMessage`: the RSA public key of the certificate at `url`. */
export interface CertificateSource {
  /**
   * Resolves the key of a currently valid RSA certificate. Rejects with `SnsVerificationError`:
   * 403 when the PEM is invalid, oversized, expired or not RSA; 503 when it cannot be fetched
   * (SNS retries 5xx, so a blip at AWS costs a retry, not the message).
   */
  get(url: URL): Promise<KeyObject>;
}

interface Entry {
  readonly cert: Promise<X509Certificate>;
  readonly expiresAt: number;
}

/**
 * The signing-certificate cache that sns-validator lacks: pinned certs first, then a bounded
 * (LRU, `maxEntries`), expiring (`ttlMs`) cache by URL whose misses fetch with a timeout and a
 * size cap. Concurrent gets of one URL share a fetch; failures are not cached.
 */
export function createCertificateSource(options: CertificateSourceOptions = {}): CertificateSource {
  const { pinned = new Map<string, string>(), timeoutMs = 5000, maxEntries = 32, ttlMs = 3_600_000, maxBytes = 16_384, now = Date.now } = options;
  const fetchPem = options.fetchPem ?? createPemFetcher(maxBytes);
  const pins = new Map([...pinned].map(([url, pem]) => [new URL(url).href, parseCertificate(pem, Infinity)] as const));
  const cache = new Map<string, Entry>();

  function load(url: URL): Promise<X509Certificate> {
    const key = url.href;
    const hit = cache.get(key);
    cache.delete(key);
    if (hit && hit.expiresAt > now()) {
      cache.set(key, hit); // re-insert: Map order is the LRU order
      return hit.cert;
    }
    const entry: Entry = { cert: download(url).then((pem) => parseCertificate(pem, maxBytes)), expiresAt: now() + ttlMs };
    cache.set(key, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
    entry.cert.catch(() => cache.get(key) === entry && cache.delete(key));
    return entry.cert;
  }

  async function download(url: URL): Promise<string> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await untilAborted(fetchPem(url, signal), signal);
    } catch (err) {
      if (err instanceof SnsVerificationError) throw err;
      throw new SnsVerificationError(503, "could not fetch signing certificate");
    }
  }

  return {
    async get(url) {
      const cert = pins.get(url.href) ?? (await load(url));
      return publicKeyOf(cert, now());
    },
  };
}

/**
 * The default `FetchPem`: global fetch, no redirects, 200 only, at most `maxBytes` read (an
 * oversized body is refused with 403 rather than buffered).
 */
export function createPemFetcher(maxBytes: number): FetchPem {
  return async (url, signal) => {
    const res = await fetch(url, { signal, redirect: "error" });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`signing certificate fetch answered ${res.status}`);
    }
    if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(); // leaving the loop cancels the stream
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  };
}

/** Rejects with the abort reason even if `promise` ignores the signal. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function parseCertificate(pem: string, maxBytes: number): X509Certificate {
  if (Buffer.byteLength(pem, "utf8") > maxBytes) throw tooLarge();
  try {
    return new X509Certificate(pem);
  } catch {
    throw new SnsVerificationError(403, "signing certificate is not a valid X.509 PEM");
  }
}

function publicKeyOf(cert: X509Certificate, nowMs: number): KeyObject {
  if (!(Date.parse(cert.validFrom) <= nowMs && nowMs <= Date.parse(cert.validTo))) {
    throw new SnsVerificationError(403, "signing certificate is not currently valid");
  }
  if (cert.publicKey.asymmetricKeyType !== "rsa") throw new SnsVerificationError(403, "signing certificate key is not RSA");
  return cert.publicKey;
}

function tooLarge(): SnsVerificationError {
  return new SnsVerificationError(403, "signing certificate is too large");
}
