/** Who is looking at the board. Operators may rebuild, stop, replay and retry. */
export interface BoardUser {
  readonly name: string;
  readonly role: "viewer" | "operator";
  readonly via: "none" | "local" | "github";
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends BoardUser {}
  }
}

/**
 * Only a same-site path may be a post-login destination: one leading `/`, not `//` or `/\`
 * (browsers read both as another host), no scheme, no control characters.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== "string" || value.length > 512) return "/";
  if (!/^\/(?![/\\])[^\s\\]*$/.test(value)) return "/";
  return value;
}
