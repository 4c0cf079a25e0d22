import { z } from "zod";
import { HttpError } from "../../domain/http-error.js";

/**
 * Why an SNS delivery was refused. The status drives SNS: it retries only 5xx, so 400/401/403
 * drop a message for good and 503 (signing certificate unreachable) asks for a retry.
 */
export class SnsVerificationError extends HttpError {
  constructor(status: number, readonly reason: string) {
    super(status, reason);
    this.name = "SnsVerificationError";
  }
}

const text = z.string().min(1);

const common = {
  MessageId: text,
  TopicArn: text,
  Message: z.string(),
  Timestamp: text,
  // Any version parses; verifySnsMessage answers 403 to the ones it cannot check.
  SignatureVersion: text,
  Signature: text,
  SigningCertURL: text,
};

const Notification = z.object({
  ...common,
  Type: z.literal("Notification"),
  // Lambda-style payloads spell an absent Subject as null; it is not signed either way.
  Subject: z.preprocess((s) => s ?? undefined, z.string().optional()),
  UnsubscribeURL: z.string().optional(),
  MessageAttributes: z.record(z.string(), z.object({ Type: z.string(), Value: z.string() })).optional(),
});

const Confirmation = z.object({
  ...common,
  Type: z.enum(["SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  // Both confirmation types sign SubscribeURL and Token, so both must be present.
  SubscribeURL: text,
  Token: text,
});

const SnsMessageSchema = z.discriminatedUnion("Type", [Notification, Confirmation]);

/**
 * The JSON body SNS POSTs to an HTTP(S) subscriber, shape-checked but NOT yet authenticated:
 * pass it to `verifySnsMessage` before trusting any field. Unknown keys are dropped.
 */
export type SnsMessage = Readonly<z.infer<typeof SnsMessageSchema>>;

type WithoutSignature<T> = T extends unknown ? Omit<T, "Signature"> : never;
/** An `SnsMessage` before signing: what the canonical string is built from. */
export type UnsignedSnsMessage = WithoutSignature<SnsMessage>;

/**
 * Parses an SNS HTTP body (sent as text/plain, so it arrives as a string). Malformed JSON or a
 * missing/mistyped field throws `SnsVerificationError(400)`; the reason names the fields.
 */
export function parseSnsMessage(body: string): SnsMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new SnsVerificationError(400, "malformed JSON");
  }
  const parsed = SnsMessageSchema.safeParse(json);
  if (!parsed.success) throw new SnsVerificationError(400, `invalid SNS message: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? i.path.join(".") : "body") + ": " + i.message).join("; ");
}
