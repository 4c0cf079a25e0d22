import { parseSnsMessage, SnsVerificationError } from "../../../../src/intake/sns/sns-message.js";
import { HttpError } from "../../../../src/domain/http-error.js";
import { snsNotification, snsSigner, snsSubscriptionConfirmation, snsUnsubscribeConfirmation } from "../../../fakes/sns-signer.js";

const signer = snsSigner();
const notification = signer.sign(snsNotification({ Subject: "push" }));
const subscription = signer.sign(snsSubscriptionConfirmation());
const unsubscription = signer.sign(snsUnsubscribeConfirmation());

function parseError(body: string): SnsVerificationError {
  try {
    parseSnsMessage(body);
  } catch (err) {
    if (err instanceof SnsVerificationError) return err;
    throw err;
  }
  throw new Error("expected parseSnsMessage to throw");
}

function without(msg: object, key: string): string {
  return JSON.stringify(Object.fromEntries(Object.entries(msg).filter(([k]) => k !== key)));
}

describe("parseSnsMessage", () => {
  it.each([
    { name: "Notification", msg: notification },
    { name: "SubscriptionConfirmation", msg: subscription },
    { name: "UnsubscribeConfirmation", msg: unsubscription },
  ])("parses a $name body as sent (pretty-printed, text/plain)", ({ msg }) => {
    expect(parseSnsMessage(JSON.stringify(msg, null, 2))).toEqual(msg);
  });

  it("keeps MessageAttributes and UnsubscribeURL on a notification", () => {
    const attrs = { MessageAttributes: { kind: { Type: "String", Value: "push" } } };
    const parsed = parseSnsMessage(JSON.stringify({ ...notification, ...attrs }));
    expect(parsed).toMatchObject(attrs);
    expect(parsed).toHaveProperty("UnsubscribeURL", expect.stringContaining("Action=Unsubscribe"));
  });

  it("treats an absent or null Subject as not present", () => {
    const subjectOf = (body: string) => (parseSnsMessage(body) as { Subject?: string }).Subject;
    expect(subjectOf(without(notification, "Subject"))).toBeUndefined();
    expect(subjectOf(JSON.stringify({ ...notification, Subject: null }))).toBeUndefined();
  });

  it("keeps an empty Subject (it is present, so it is signed)", () => {
    expect(parseSnsMessage(JSON.stringify({ ...notification, Subject: "" }))).toHaveProperty("Subject", "");
  });

  it("drops unknown keys", () => {
    expect(parseSnsMessage(JSON.stringify({ ...notification, Extra: "x" }))).not.toHaveProperty("Extra");
  });

  it("accepts any SignatureVersion string (verifySnsMessage rejects unknown ones with 403)", () => {
    expect(parseSnsMessage(JSON.stringify({ ...notification, SignatureVersion: "3" })).SignatureVersion).toBe("3");
  });

  it.each(["", "{", "{\"Type\":", "not json", "\u0000"])("rejects malformed JSON %j with 400", (body) => {
    const err = parseError(body);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(400);
    expect(err.reason).toBe("malformed JSON");
  });

  it.each(["null", "[]", "42", "\"Notification\"", "{}"])("rejects the non-message JSON %s with 400", (body) => {
    expect(parseError(body).status).toBe(400);
  });

  it.each(["MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "Type"])(
    "rejects a Notification without %s with 400",
    (key) => {
      expect(parseError(without(notification, key)).status).toBe(400);
    },
  );

  it.each(["Token", "SubscribeURL", "MessageId", "Signature"])("rejects confirmations without %s with 400", (key) => {
    expect(parseError(without(subscription, key)).status).toBe(400);
    expect(parseError(without(unsubscription, key)).status).toBe(400);
  });

  it.each([
    { name: "unknown Type", patch: { Type: "Subscription" } },
    { name: "numeric MessageId", patch: { MessageId: 1 } },
    { name: "empty Signature", patch: { Signature: "" } },
    { name: "numeric SignatureVersion", patch: { SignatureVersion: 1 } },
    { name: "object Message", patch: { Message: { a: 1 } } },
    { name: "numeric Subject", patch: { Subject: 7 } },
    { name: "malformed MessageAttributes", patch: { MessageAttributes: { a: "b" } } },
  ])("rejects a $name with 400 and names the field", ({ patch }) => {
    const err = parseError(JSON.stringify({ ...notification, ...patch }));
    expect(err.status).toBe(400);
    expect(err.reason).toMatch(/^invalid SNS message: /);
    expect(err.reason).toContain(Object.keys(patch)[0]);
  });
});
