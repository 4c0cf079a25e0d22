import { isIP } from "node:net";
import { z } from "zod";

export const nonEmpty = z.string().trim().min(1, "must not be empty");
export const globList = z.array(nonEmpty).min(1, "must list at least one pattern");
export const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** An address, a CIDR block or one of Express's names for the proxies in front of buildgate. */
export const proxyAddress = z.string().refine(
  (v) => {
    if (PROXY_NAMES.has(v)) return true;
    const [ip = "", prefix, ...rest] = v.split("/");
    const family = isIP(ip);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    // A /0 block would trust every address (anyone could name any client); Express refuses it too.
    return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
  },
  { error: "must be an IP address, a CIDR block of /1 or longer (10.0.0.0/8) or loopback, linklocal or uniquelocal" },
);
