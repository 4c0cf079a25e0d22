const SKIP_MARKERS = ["[skip ci]", "[ci skip]", "[no ci]", "[skip buildgate]", "[buildgate skip]"];

/** The marker found in a commit message that asks for no build, if any (case-insensitive). */
export function findSkipMarker(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const lower = message.toLowerCase();
  return SKIP_MARKERS.find((m) => lower.includes(m));
}
