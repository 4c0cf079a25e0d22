import { linesAfter, logLines, withoutAnsi } from "../../../src/domain/slice-log.js";

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

describe("withoutAnsi", () => {
  it.each([
    ["\x1b[31mred\x1b[0m plain", "red plain"],
    ["\x1b[1;38;5;208mbold\x1b[m", "bold"],
    ["\x1b]8;;javascript:alert(1)\x1b\\link\x1b]8;;\x1b\\", "link"],
    ["\x1b]0;title\x07after", "after"],
    ["\x1b[2K\x1b[1Gprogress", "progress"],
    ["<script>x</script>", "<script>x</script>"],
  ])("%j → %j", (line, plain) => {
    expect(withoutAnsi(line)).toBe(plain);
  });
});
