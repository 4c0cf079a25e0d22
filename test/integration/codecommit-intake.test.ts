import request from "supertest";
import { createCertificateSource } from "../../src/intake/sns/cert-cache.js";
import { snsNotification, snsSigner, snsSubscriptionConfirmation, snsUnsubscribeConfirmation, SNS_CERT_URL, SNS_TOPIC_ARN } from "../fakes/sns-signer.js";
import { createTestGate, type TestGate } from "../helpers/test-gate.js";

const API_KEY = "integration-key-0123456789";
const YAML = `
codecommit:
  sns: { topicArns: ["${SNS_TOPIC_ARN}"] }
  eventbridge: { apiKeyHeader: x-api-key, apiKey: "${API_KEY}", basicAuth: { username: eb, password: "basic-password-0123456789" } }
routes:
  - name: cc
    source: { codecommit: MyDemoRepo }
    on: [push, pull_request]
    project: cc-ci
`;

describe("POST /webhooks/sns and /webhooks/eventbridge (supertest on the app)", () => {
  let gate: TestGate;
  let confirmed: URL[];
  let fetches: number;
  let confirmFails: boolean;

  beforeEach(async () => {
    confirmed = [];
    fetches = 0;
    confirmFails = false;
    const certificates = createCertificateSource({
      pinned: new Map([[SNS_CERT_URL, snsSigner().certPem]]),
      fetchPem: async () => {
        fetches++;
        throw new Error("no network in tests");
      },
    });
    gate = await createTestGate({
      yaml: YAML,
      snsCertificates: certificates,
      confirmSubscription: async (url) => {
        if (confirmFails) throw new Error("SNS is down");
        confirmed.push(url);
      },
    });
  });
  afterEach(async () => {
    await gate.close();
  });

  const sns = (body: unknown, type = "text/plain; charset=UTF-8") => request(gate.app).post("/webhooks/sns").set("content-type", type).send(typeof body === "string" ? body : JSON.stringify(body));
  const eb = () => request(gate.app).post("/webhooks/eventbridge").set("content-type", "application/json; charset=utf-8");
  const event = (id: string, detailType = "CodeCommit Repository State Change") => JSON.stringify({ version: "0", id, "detail-type": detailType, source: "aws.codecommit", detail: { event: "referenceDeleted", repositoryName: "MyDemoRepo", referenceName: "x" } });

  describe("SNS", () => {
    it("stores a verified notification (202), answers its redelivery 200, and keeps the message as the body", async () => {
      const msg = snsSigner().sign(snsNotification({ MessageId: "m-1", Message: '{"Records":[]}' }));
      expect((await sns(msg)).status).toBe(202);
      expect((await sns(msg)).status).toBe(200);
      const [row] = await gate.store.findDeliveries("m-1");
      expect(row).toMatchObject({ source: "sns", event: "Notification", body: '{"Records":[]}' });
    });

    it("accepts application/json too, and refuses other content types with 415", async () => {
      expect((await sns(snsSigner().sign(snsNotification({ MessageId: "m-json" })), "application/json")).status).toBe(202);
      expect((await sns(snsSigner().sign(snsNotification({ MessageId: "m-xml" })), "application/xml")).status).toBe(415);
    });

    it("answers 400 for malformed JSON, a non-SNS body, and a message-type header that disagrees", async () => {
      expect((await sns('{"Type":')).status).toBe(400);
      expect((await sns({ hello: "world" })).status).toBe(400);
      const msg = snsSigner().sign(snsNotification({ MessageId: "m-2" }));
      expect((await sns(msg).set("x-amz-sns-message-type", "SubscriptionConfirmation")).status).toBe(400);
    });

    it("answers 405 with Allow: POST for other methods", async () => {
      const res = await request(gate.app).get("/webhooks/sns");
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe("POST");
    });

    it("confirms a verified subscription by its SubscribeURL, and answers 503 when that fails (SNS retries)", async () => {
      const sub = snsSigner().sign(snsSubscriptionConfirmation({ MessageId: "s-1" }));
      expect((await sns(sub)).status).toBe(200);
      expect(confirmed.map((u) => u.host)).toEqual(["sns.us-east-1.amazonaws.com"]);
      confirmFails = true;
      expect((await sns(snsSigner().sign(snsSubscriptionConfirmation({ MessageId: "s-2" })))).status).toBe(503);
    });

    it("records an unsubscribe confirmation without building anything", async () => {
      expect((await sns(snsSigner().sign(snsUnsubscribeConfirmation({ MessageId: "u-1" })))).status).toBe(200);
      expect((await gate.store.findDeliveries("u-1"))[0]).toMatchObject({ status: "ignored", reason: `unsubscribed from ${SNS_TOPIC_ARN}` });
      expect(await gate.store.jobs.countByState()).toEqual({});
    });

    it("never fetches anything for a bad certificate URL or a foreign topic", async () => {
      const badCert = { ...snsSigner().sign(snsNotification({ MessageId: "b-1" })), SigningCertURL: "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem" };
      expect((await sns(badCert)).status).toBe(403);
      const foreign = snsSigner().sign(snsNotification({ MessageId: "b-2", TopicArn: "arn:aws:sns:us-east-1:999999999999:x" }));
      expect((await sns(foreign)).status).toBe(403);
      const unpinned = snsSigner().sign(snsNotification({ MessageId: "b-3", SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ffff.pem" }));
      expect((await sns(unpinned)).status).toBe(503);
      expect(fetches).toBe(1);
      expect(await gate.store.findDeliveries("b-1")).toHaveLength(0);
    });

    it("answers 503 when the store cannot commit", async () => {
      const broken = gate;
      await broken.store.close();
      expect((await sns(snsSigner().sign(snsNotification({ MessageId: "c-1" })))).status).toBe(503);
      gate = await createTestGate({ yaml: YAML });
      // Its temporary folder goes too (closing its store a second time is harmless).
      await broken.close();
    });
  });

  describe("EventBridge", () => {
    it("stores an authenticated event (202), answers a repeated id 200 (never 409)", async () => {
      expect((await eb().set("x-api-key", API_KEY).send(event("e-1"))).status).toBe(202);
      const again = await eb().set("x-api-key", API_KEY).send(event("e-1"));
      expect(again.status).toBe(200);
      expect(again.body.status).toBe("duplicate");
    });

    it("accepts basic auth as the other configured method", async () => {
      expect((await eb().auth("eb", "basic-password-0123456789").send(event("e-2"))).status).toBe(202);
      const wrong = await eb().auth("eb", "wrong").send(event("e-3"));
      expect(wrong.status).toBe(401);
      expect(wrong.headers["www-authenticate"]).toMatch(/^Basic/);
    });

    it.each([
      { name: "no key", key: undefined },
      { name: "a wrong key", key: "integration-key-0123456780" },
      { name: "a prefix of the key", key: API_KEY.slice(0, 10) },
    ])("answers 401 for $name and stores nothing", async ({ key }) => {
      const req = eb();
      if (key) req.set("x-api-key", key);
      expect((await req.send(event("e-401"))).status).toBe(401);
      expect(await gate.store.findDeliveries("e-401")).toHaveLength(0);
    });

    it.each([
      { name: "truncated JSON", body: '{"id":' },
      { name: "no id", body: JSON.stringify({ "detail-type": "x", source: "aws.codecommit", detail: {} }) },
      { name: "no detail", body: JSON.stringify({ id: "e-4", "detail-type": "x", source: "aws.codecommit" }) },
      { name: "an array", body: "[]" },
    ])("answers 400 for $name", async ({ body }) => {
      expect((await eb().set("x-api-key", API_KEY).send(body)).status).toBe(400);
    });

    it("stores an unknown detail-type as ignored and answers 200", async () => {
      const res = await eb().set("x-api-key", API_KEY).send(event("e-5", "AWS API Call via CloudTrail"));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "ignored", reason: "detail-type AWS API Call via CloudTrail is not handled" });
    });

    it("answers 415 for a non-JSON content type and 405 for GET", async () => {
      expect((await request(gate.app).post("/webhooks/eventbridge").set("content-type", "text/plain").set("x-api-key", API_KEY).send(event("e-6"))).status).toBe(415);
      expect((await request(gate.app).get("/webhooks/eventbridge")).status).toBe(405);
    });
  });
});
