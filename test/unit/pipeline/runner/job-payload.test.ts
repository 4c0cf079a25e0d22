import { parsePayload, subjectOf, valueOf } from "../../../../src/pipeline/runner/job-payload.js";
import { describeError } from "../../../../src/pipeline/runner/describe-error.js";

describe("a job's payload", () => {
  it.each([
    { name: "a build job", text: '{"buildId":7,"other":"x"}', subject: { buildId: 7 } },
    { name: "a delivery job", text: '{"deliveryRowId":3}', subject: { deliveryRowId: 3 } },
    { name: "ids that are not numbers", text: '{"buildId":"7"}', subject: {} },
    { name: "null", text: "null", subject: {} },
    { name: "malformed JSON", text: "{nope", subject: {} },
  ])("names the ids of $name for its log lines", ({ text, subject }) => {
    expect(subjectOf(parsePayload(text))).toEqual(subject);
  });

  it("gives the parsed value, and throws the parse error only when a malformed one is used", () => {
    expect(valueOf(parsePayload('{"n":1}'))).toEqual({ n: 1 });
    const malformed = parsePayload("{nope");
    expect(() => valueOf(malformed)).toThrow(SyntaxError);
  });

  it.each([
    { name: "an Error", err: new TypeError("bad"), want: "TypeError: bad" },
    { name: "a string", err: "plain", want: "plain" },
    { name: "a long message", err: new Error("x".repeat(5000)), want: `Error: ${"x".repeat(1993)}` },
  ])("describes $name in one line of at most 2,000 characters", ({ err, want }) => {
    expect(describeError(err)).toBe(want);
  });
});
