/** A job's payload, parsed once per run: its value, or the error a malformed one throws when used. */
export type Payload = { readonly value: unknown } | { readonly error: unknown };

export function parsePayload(text: string): Payload {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error };
  }
}

/** The parsed value; throws the parse error of a malformed payload. */
export const valueOf = (payload: Payload): unknown => {
  if ("error" in payload) throw payload.error;
  return payload.value;
};

/** The ids a job's payload names, for its log lines (a malformed payload names none). */
export function subjectOf(payload: Payload): Record<string, number> {
  const p = "value" in payload ? (payload.value as Record<string, unknown> | null) : null;
  const ids: Record<string, number> = {};
  if (typeof p?.buildId === "number") ids.buildId = p.buildId;
  if (typeof p?.deliveryRowId === "number") ids.deliveryRowId = p.deliveryRowId;
  return ids;
}
