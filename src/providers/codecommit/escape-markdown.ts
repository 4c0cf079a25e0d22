// The escapers are pure and shared with GitHub's check-run summaries: they live in domain/.
export { codeSpan, escapeMarkdown } from "../../domain/escape-markdown.js";
