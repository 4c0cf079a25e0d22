export type Dialect = "sqlite" | "postgres";

/** Which dialect a `store.url` names. */
export function dialectOf(url: string): Dialect {
  return url.startsWith("sqlite:") ? "sqlite" : "postgres";
}
