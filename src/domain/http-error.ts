/** An error that knows its HTTP status. `expose` decides whether the message reaches the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly expose = status < 500,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}
