import type { UnsignedSnsMessage } from "./sns-message.js";

/**
 * The string SNS signs, per AWS "Verifying the signatures of Amazon SNS messages": each
 * `Key\nValue\n` in a fixed order, built from the JSON-decoded values.
 * - Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type.
 * - SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
 *   Timestamp, Token, TopicArn, Type. (sns-validator 0.3.5 dropped Token for
 *   UnsubscribeConfirmation, so genuine unsubscribe confirmations failed there; not here.)
 */
export function snsCanonicalString(msg: UnsignedSnsMessage): string {
  const pairs: Array<readonly [string, string | undefined]> =
    msg.Type === "Notification"
      ? [
          ["Message", msg.Message],
          ["MessageId", msg.MessageId],
          ["Subject", msg.Subject],
          ["Timestamp", msg.Timestamp],
          ["TopicArn", msg.TopicArn],
          ["Type", msg.Type],
        ]
      : [
          ["Message", msg.Message],
          ["MessageId", msg.MessageId],
          ["SubscribeURL", msg.SubscribeURL],
          ["Timestamp", msg.Timestamp],
          ["Token", msg.Token],
          ["TopicArn", msg.TopicArn],
          ["Type", msg.Type],
        ];
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}\n${value}\n`)
    .join("");
}
