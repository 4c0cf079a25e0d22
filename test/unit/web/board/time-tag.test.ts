import { timeTag } from "../../../../src/web/board/time-tag.js";

describe("timeTag", () => {
  const now = Date.parse("2026-12-07T10:00:00.000Z");
  it("renders the relative time with the absolute time on hover and the instant in datetime", () => {
    expect(timeTag("2026-12-07T09:57:00.000Z", now)).toBe('<time datetime="2026-12-07T09:57:00.000Z" data-relative title="2026-12-07 09:57:00 UTC">3 min ago</time>');
    expect(timeTag("2026-12-06T09:00:00.000Z", now)).toContain(">yesterday</time>");
  });
  it("escapes what it is given and prints nothing for a time that is not one", () => {
    expect(timeTag(`"><script>`, now)).toBe('<time datetime="&#34;&#62;&#60;script&#62;" data-relative title=""></time>');
  });
});
