import { linesAfter, logLines } from "../../../src/domain/slice-log.js";

describe("logLines", () => {
  it.each([
    ["", []],
    ["one", ["one"]],
    ["one\n", ["one"]],
    ["one\r\ntwo\r\n", ["one", "two"]],
    ["a\n\nb", ["a", "", "b"]],
    ["\n", [""]],
  ])("splits %j into %j", (text, lines) => {
    expect(logLines(text)).toEqual(lines);
  });

  it("cuts a line longer than the bound and says so", () => {
    const [line] = logLines(`${"x".repeat(30)}\n`, 10);
    expect(line).toBe(`${"x".repeat(10)} … (line cut at 10 characters)`);
  });
});

describe("linesAfter", () => {
  const lines = ["a", "b", "c", "d"];
  it.each([
    [0, 2, [{ n: 1, text: "a" }, { n: 2, text: "b" }]],
    [2, 10, [{ n: 3, text: "c" }, { n: 4, text: "d" }]],
    [4, 10, []],
    [99, 10, []],
    [1, 0, []],
  ])("after %i, limit %i", (after, limit, expected) => {
    expect(linesAfter(lines, after, limit)).toEqual(expected);
  });
});
