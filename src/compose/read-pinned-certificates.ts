import { readFileSync } from "node:fs";
import { ConfigError } from "../config/config-error.js";

/** codecommit.sns.pinnedCertificates: SigningCertURL → PEM file, read once at start. */
export function readPinnedCertificates(pinned: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(pinned).map(([url, file]) => {
      try {
        return [url, readFileSync(file, "utf8")];
      } catch (err) {
        throw new ConfigError([`codecommit.sns.pinnedCertificates["${url}"]: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
      }
    }),
  );
}
