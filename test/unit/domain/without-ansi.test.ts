import { withoutAnsi } from "../../../src/domain/without-ansi.js";

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
