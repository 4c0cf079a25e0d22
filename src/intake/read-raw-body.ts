import type { IncomingMessage } from "node:http";
import getRawBody from "raw-body";
import { HttpError } from "../domain/http-error.js";

/**
 * Reads a request body as raw bytes up to `limit`. A declared Content-Length over the limit
 * is refused before reading anything; a chunked body is cut off as soon as it passes the limit.
 * Either way the 413 closes the connection instead of draining the rest. Compressed bodies are
 * refused (415): signatures are over the bytes as sent.
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding !== "identity") throw new HttpError(415, `unsupported content encoding ${encoding}`);
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    throw new HttpError(413, `request body larger than ${limit} bytes`, true, { Connection: "close" });
  }
  try {
    return await getRawBody(req, { limit, ...(declared !== undefined ? { length: declared } : {}) });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") throw new HttpError(413, `request body larger than ${limit} bytes`, true, { Connection: "close" });
    if (type === "request.size.invalid") throw new HttpError(400, "request body shorter or longer than Content-Length");
    if (type === "request.aborted") throw new HttpError(400, "request aborted");
    throw err;
  }
}
