import type { CommitState } from "../../domain/build-state.js";

const COLOURS: Readonly<Record<CommitState | "unknown", string>> = { success: "#1f883d", failure: "#cf222e", error: "#6e7781", pending: "#bf8700", unknown: "#6e7781" };
const WORDS: Readonly<Record<CommitState | "unknown", string>> = { success: "passing", failure: "failing", error: "error", pending: "running", unknown: "unknown" };

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Verdana 11px averages about 6.5 px a character: close enough for a badge.
const width = (s: string) => Math.round(s.length * 6.5) + 12;

/** A shields-style SVG badge: "<label> | passing". */
export function renderBadge(label: string, state: CommitState | "unknown"): string {
  const left = escapeXml(label);
  const right = WORDS[state];
  const lw = width(label);
  const rw = width(right);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${lw + rw}" height="20" role="img" aria-label="${left}: ${right}"><title>${left}: ${right}</title><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${rw}" height="20" fill="${COLOURS[state]}"/><g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="${lw / 2}" y="14">${left}</text><text x="${lw + rw / 2}" y="14">${right}</text></g></svg>`;
}
