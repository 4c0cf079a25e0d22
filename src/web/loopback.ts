/** This host's loopback interface as a socket reports its peer: IPv4, IPv6, IPv4-mapped IPv6. */
const LOOPBACK_ADDRESSES: ReadonlySet<string> = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** Whether a client address (a socket's remoteAddress, or `req.ip`) is this host's loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return LOOPBACK_ADDRESSES.has(address ?? "");
}

/** Whether `server.host` binds the loopback interface only (a loopback address, or "localhost"). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || isLoopbackAddress(host);
}
