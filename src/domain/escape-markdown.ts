// Every ASCII punctuation character that Markdown (CommonMark, GFM) gives a meaning: emphasis,
// links, images, code, HTML and entities, headings, lists, tables, strikethrough. A backslash
// makes each one literal.
const SPECIAL = /[\\`*_{}[\]()#+\-.!|~<>&:]/g;

/** Text (repository text, CodeBuild's messages) as literal Markdown on one line. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, " ").trim().replace(SPECIAL, "\\$&");
}

/**
 * Text as a Markdown code span its content cannot close: the fence is one backtick longer than
 * the longest run of backticks inside, and a space on each side (CommonMark strips one each)
 * keeps a leading or trailing backtick from joining the fence. On one line, since a blank line
 * would end the span's paragraph.
 */
export function codeSpan(text: string): string {
  const content = text.replace(/\s+/g, " ").trim();
  const longest = Math.max(0, ...Array.from(content.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${content} ${fence}`;
}
