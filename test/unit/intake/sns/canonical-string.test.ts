import { snsCanonicalString } from "../../../../src/intake/sns/canonical-string.js";
import { snsNotification, snsSubscriptionConfirmation, snsUnsubscribeConfirmation } from "../../../fakes/sns-signer.js";

const base = { MessageId: "m-1", TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Timestamp: "2026-05-01T12:00:00.000Z", SigningCertURL: "https://x" };

describe("snsCanonicalString", () => {
  it("builds a Notification without Subject: Message, MessageId, Timestamp, TopicArn, Type", () => {
    const msg = snsNotification({ ...base, Message: "hello", MessageAttributes: { a: { Type: "String", Value: "b" } } });
    expect(snsCanonicalString(msg)).toBe(
      "Message\nhello\nMessageId\nm-1\nTimestamp\n2026-05-01T12:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:111122223333:t\nType\nNotification\n",
    );
  });

  it("puts a present Subject between MessageId and Timestamp", () => {
    const msg = snsNotification({ ...base, Message: "hello", Subject: "subj" });
    expect(snsCanonicalString(msg)).toBe(
      "Message\nhello\nMessageId\nm-1\nSubject\nsubj\nTimestamp\n2026-05-01T12:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:111122223333:t\nType\nNotification\n",
    );
  });

  it("keeps an empty Subject (present) but not an undefined one", () => {
    expect(snsCanonicalString(snsNotification({ Subject: "" }))).toContain("Subject\n\nTimestamp\n");
    expect(snsCanonicalString(snsNotification({ Subject: undefined }))).not.toContain("Subject");
  });

  it.each([
    { type: "SubscriptionConfirmation", build: snsSubscriptionConfirmation },
    { type: "UnsubscribeConfirmation", build: snsUnsubscribeConfirmation },
  ])("builds a $type with Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type", ({ type, build }) => {
    const msg = build({ ...base, Message: "confirm", SubscribeURL: "https://sns/?a", Token: "tok" });
    expect(snsCanonicalString(msg)).toBe(
      `Message\nconfirm\nMessageId\nm-1\nSubscribeURL\nhttps://sns/?a\nTimestamp\n2026-05-01T12:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:111122223333:t\nType\n${type}\n`,
    );
  });

  it("never includes unsigned fields (Signature*, UnsubscribeURL, MessageAttributes)", () => {
    const text = snsCanonicalString(snsNotification({ MessageAttributes: { k: { Type: "String", Value: "v" } } }));
    expect(text).not.toMatch(/Signature|SigningCertURL|UnsubscribeURL|MessageAttributes/);
  });

  it("uses decoded values verbatim: newlines, quotes and non-ASCII are not escaped", () => {
    const msg = snsNotification({ ...base, Message: "{\"a\":\"é\\n\"}\nline2" });
    expect(snsCanonicalString(msg).startsWith("Message\n{\"a\":\"é\\n\"}\nline2\nMessageId\n")).toBe(true);
  });
});
