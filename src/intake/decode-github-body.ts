import { HttpError } from "../domain/http-error.js";

export type GithubContentType = "json" | "form";

/**
 * Which of GitHub's two content types a request uses; anything else (or a charset other
 * than UTF-8) is a 415.
 */
export function githubContentType(header: string | undefined): GithubContentType {
  const [type = "", ...params] = (header ?? "").toLowerCase().split(";").map((s) => s.trim());
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") throw new HttpError(415, `unsupported charset ${charset}: only utf-8`);
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  throw new HttpError(415, "unsupported content type: use application/json or application/x-www-form-urlencoded");
}

/**
 * The JSON text of a verified body: the body itself, or the `payload` field of a form. It must
 * parse as a JSON object (400 otherwise); the parsed value is not kept: the worker parses again.
 */
export function decodeGithubBody(raw: string, type: GithubContentType): string {
  const json = type === "form" ? new URLSearchParams(raw).get("payload") : raw;
  if (json === null) throw new HttpError(400, "form body has no payload field");
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new HttpError(400, "body must be a JSON object");
  return json;
}
