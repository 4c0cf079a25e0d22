import { createCertificateSource, type FetchPem } from "../../../../src/intake/sns/cert-cache.js";
import { checkSubscribeUrl } from "../../../../src/intake/sns/check-cert-url.js";
import { parseSnsMessage, type SnsMessage, type UnsignedSnsMessage } from "../../../../src/intake/sns/sns-message.js";
import { SnsVerificationError, verifySnsMessage } from "../../../../src/intake/sns/verify-sns-message.js";
import {
  createSnsSigner,
  SNS_CERT_URL_ATTACKS,
  SNS_TOPIC_ARN,
  snsNotification,
  snsSigner,
  snsSubscriptionConfirmation,
  snsUnsubscribeConfirmation,
  type SignatureVersion,
} from "../../../fakes/sns-signer.js";

const signer = snsSigner();
const OTHER_ALLOWED_TOPIC = "arn:aws:sns:us-east-1:111122223333:other-allowed";

/** Real certificate source whose fetches are counted; the "network" serves the signer's cert. */
function harness(answer: FetchPem = async () => signer.certPem) {
  const fetches: string[] = [];
  const certificates = createCertificateSource({
    fetchPem: (url, signal) => {
      fetches.push(url.href);
      return answer(url, signal);
    },
    timeoutMs: 50,
  });
  return { fetches, deps: { certificates, allowedTopicArns: [SNS_TOPIC_ARN, OTHER_ALLOWED_TOPIC] } };
}

/** Resolves to "ok" or the refusal's HTTP status. */
async function outcome(msg: SnsMessage, h = harness()): Promise<"ok" | number> {
  try {
    await verifySnsMessage(msg, h.deps);
    return "ok";
  } catch (err) {
    if (err instanceof SnsVerificationError) return err.status;
    throw err;
  }
}

const builders = {
  Notification: () => snsNotification(),
  "Notification with Subject": () => snsNotification({ Subject: "CodeCommit push" }),
  "Notification with MessageAttributes": () => snsNotification({ MessageAttributes: { k: { Type: "String", Value: "v" } } }),
  SubscriptionConfirmation: () => snsSubscriptionConfirmation(),
  UnsubscribeConfirmation: () => snsUnsubscribeConfirmation(),
} satisfies Record<string, () => UnsignedSnsMessage>;
const versions: SignatureVersion[] = ["1", "2"];
const cases = Object.entries(builders).flatMap(([name, build]) => versions.map((version) => ({ name, build, version })));

describe("verifySnsMessage: genuine messages", () => {
  it.each(cases)("accepts a $name signed with SignatureVersion $version", async ({ build, version }) => {
    const h = harness();
    expect(await outcome(signer.sign(build(), version), h)).toBe("ok");
    expect(h.fetches).toEqual([signer.certUrl]);
  });

  it.each(cases)("accepts a $name (v$version) after a JSON round trip through parseSnsMessage", async ({ build, version }) => {
    const wire = JSON.stringify(signer.sign(build(), version), null, 2);
    expect(await outcome(parseSnsMessage(wire))).toBe("ok");
  });

  it("accepts non-ASCII and multi-line Message and Subject values", async () => {
    const msg = snsNotification({ Subject: "Übersicht ✓", Message: "line 1\nline 2 — ünïcödé 🚀\n" });
    expect(await outcome(parseSnsMessage(JSON.stringify(signer.sign(msg, "2"))))).toBe("ok");
  });

  it("fetches the certificate once for many messages", async () => {
    const h = harness();
    for (const version of versions) for (const build of Object.values(builders)) await verifySnsMessage(signer.sign(build(), version), h.deps);
    expect(h.fetches).toHaveLength(1);
  });

  it("signs UnsubscribeConfirmation over Token, unlike sns-validator 0.3.5", async () => {
    const unsigned = snsUnsubscribeConfirmation();
    const withoutToken = [
      ["Message", unsigned.Message],
      ["MessageId", unsigned.MessageId],
      ["SubscribeURL", unsigned.SubscribeURL],
      ["Timestamp", unsigned.Timestamp],
      ["TopicArn", unsigned.TopicArn],
      ["Type", unsigned.Type],
    ]
      .map(([k, v]) => `${k}\n${v}\n`)
      .join("");
    const buggy: SnsMessage = { ...unsigned, Signature: signer.signText(withoutToken, "1") };
    expect(await outcome(buggy)).toBe(401);
    expect(await outcome(signer.sign(unsigned, "1"))).toBe("ok");
  });
});

describe("verifySnsMessage: tampering → 401", () => {
  const tampered: Array<{ field: string; build: () => UnsignedSnsMessage; change: Record<string, unknown> }> = [
    { field: "Message", build: builders.Notification, change: { Message: "{\"Records\":[]}" } },
    { field: "MessageId", build: builders.Notification, change: { MessageId: "00000000-0000-0000-0000-000000000000" } },
    { field: "Subject (changed)", build: builders["Notification with Subject"], change: { Subject: "Other" } },
    { field: "Subject (added)", build: builders.Notification, change: { Subject: "Injected" } },
    { field: "Subject (removed)", build: builders["Notification with Subject"], change: { Subject: undefined } },
    { field: "Timestamp", build: builders.Notification, change: { Timestamp: "2026-05-01T12:00:00.001Z" } },
    { field: "TopicArn (to another allowed topic)", build: builders.Notification, change: { TopicArn: OTHER_ALLOWED_TOPIC } },
    { field: "Type", build: builders.SubscriptionConfirmation, change: { Type: "UnsubscribeConfirmation" } },
    { field: "Token", build: builders.SubscriptionConfirmation, change: { Token: "0".repeat(64) } },
    { field: "SubscribeURL", build: builders.SubscriptionConfirmation, change: { SubscribeURL: "http://169.254.169.254/latest/meta-data/" } },
    { field: "Message of an UnsubscribeConfirmation", build: builders.UnsubscribeConfirmation, change: { Message: "x" } },
    { field: "Token of an UnsubscribeConfirmation", build: builders.UnsubscribeConfirmation, change: { Token: "t" } },
  ];
  const tamperedCases = tampered.flatMap((t) => versions.map((version) => ({ ...t, version })));

  it.each(tamperedCases)("refuses a changed $field (v$version)", async ({ build, change, version }) => {
    const msg = { ...signer.sign(build(), version), ...change } as SnsMessage;
    expect(await outcome(msg)).toBe(401);
  });

  it.each([
    { signed: "1", claimed: "2" },
    { signed: "2", claimed: "1" },
  ] as const)("refuses a v$signed signature relabelled as v$claimed", async ({ signed, claimed }) => {
    expect(await outcome({ ...signer.sign(snsNotification(), signed), SignatureVersion: claimed })).toBe(401);
  });

  it("ignores changes to unsigned fields (UnsubscribeURL, MessageAttributes)", async () => {
    const msg = { ...signer.sign(snsNotification()), UnsubscribeURL: "https://elsewhere", MessageAttributes: { a: { Type: "String", Value: "b" } } };
    expect(await outcome(msg)).toBe("ok");
  });

  it.each(versions)("refuses a message signed by another key (v%s)", async (version) => {
    const intruder = createSnsSigner();
    expect(await outcome(intruder.sign(snsNotification(), version))).toBe(401);
  });

  it("reports 401 with the reason 'signature does not verify'", async () => {
    const msg = { ...signer.sign(snsNotification()), Message: "forged" };
    await expect(verifySnsMessage(msg, harness().deps)).rejects.toMatchObject({ status: 401, reason: "signature does not verify" });
  });

  const genuine = signer.sign(snsNotification());
  it.each([
    { name: "not base64", signature: "!!!!" },
    { name: "truncated", signature: genuine.Signature.slice(0, 40) },
    { name: "too long", signature: genuine.Signature + "AAAA" },
    { name: "zeros", signature: "A".repeat(genuine.Signature.length) },
    { name: "hex instead of base64", signature: Buffer.from(genuine.Signature, "base64").toString("hex") },
    { name: "url-safe alphabet", signature: genuine.Signature.replace(/\+/g, "-").replace(/\//g, "_") },
    { name: "with whitespace", signature: genuine.Signature.replace(/(.{64})/, "$1\n") },
  ])("refuses a $name signature with 401, not a crash", async ({ signature }) => {
    expect(await outcome({ ...genuine, Signature: signature })).toBe(401);
  });
});

describe("verifySnsMessage: refused before any fetch → 403", () => {
  it.each(["3", "0", "", "01", "1 ", "v1", "constructor", "__proto__"])("refuses SignatureVersion %j", async (version) => {
    const h = harness();
    expect(await outcome({ ...signer.sign(snsNotification()), SignatureVersion: version }, h)).toBe(403);
    expect(h.fetches).toEqual([]);
  });

  it.each(SNS_CERT_URL_ATTACKS)("refuses SigningCertURL attack '$name' with zero fetches", async ({ url }) => {
    const h = harness();
    expect(await outcome(signer.sign(snsNotification({ SigningCertURL: url })), h)).toBe(403);
    expect(h.fetches).toEqual([]);
  });

  it.each([
    { name: "foreign account", arn: "arn:aws:sns:us-east-1:999999999999:codecommit-events" },
    { name: "foreign topic name", arn: "arn:aws:sns:us-east-1:111122223333:codecommit-events-2" },
    { name: "case-changed topic", arn: SNS_TOPIC_ARN.toUpperCase() },
    { name: "prefix of an allowed topic", arn: SNS_TOPIC_ARN.slice(0, -1) },
  ])("refuses a genuinely signed message from a $name with zero fetches", async ({ arn }) => {
    const h = harness();
    expect(await outcome(signer.sign(snsNotification({ TopicArn: arn })), h)).toBe(403);
    expect(h.fetches).toEqual([]);
  });

  it("refuses everything when no topic is allowed", async () => {
    const h = harness();
    const err = await verifySnsMessage(signer.sign(snsNotification()), { ...h.deps, allowedTopicArns: [] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, reason: "topic not allowed" });
    expect(h.fetches).toEqual([]);
  });

  it("refuses a forged confirmation pointing SubscribeURL at the metadata service (row 6)", async () => {
    const h = harness();
    const metadataUrl = "http://169.254.169.254/latest/meta-data/iam/";
    const forged = createSnsSigner().sign(snsSubscriptionConfirmation({ SubscribeURL: metadataUrl }));
    expect(await outcome(forged, h)).toBe(401);
    expect(() => checkSubscribeUrl(metadataUrl)).toThrow(SnsVerificationError);
    expect(h.fetches).toEqual([signer.certUrl]); // only the (checked) SNS certificate host was contacted
  });
});

describe("verifySnsMessage: certificate problems", () => {
  it("answers 503 when the certificate cannot be fetched, so SNS retries", async () => {
    const h = harness(async () => Promise.reject(new Error("ENOTFOUND")));
    expect(await outcome(signer.sign(snsNotification()), h)).toBe(503);
  });

  it("answers 503 when the certificate fetch times out", async () => {
    const h = harness((_url, signal) => new Promise<string>((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))));
    expect(await outcome(signer.sign(snsNotification()), h)).toBe(503);
  });

  it("answers 403 when the certificate URL serves something that is not a certificate", async () => {
    expect(await outcome(signer.sign(snsNotification()), harness(async () => "<html>not found</html>"))).toBe(403);
  });

  it("verifies against a pinned certificate without fetching", async () => {
    const certificates = createCertificateSource({ pinned: new Map([[signer.certUrl, signer.certPem]]), fetchPem: () => Promise.reject(new Error("must not fetch")) });
    await expect(verifySnsMessage(signer.sign(snsNotification(), "2"), { certificates, allowedTopicArns: [SNS_TOPIC_ARN] })).resolves.toBeUndefined();
  });
});
