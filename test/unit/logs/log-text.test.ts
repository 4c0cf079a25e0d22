import { LogText, MAX_SLICE_BYTES } from "../../../src/logs/log-text.js";

const limits = { maxBytes: 1024 * 1024, maxLineChars: 10_000 };

describe("LogText: lines split once, numbered from 1", () => {
  it("splits on \\n, strips a trailing \\r, and holds a partial last line until it ends", () => {
    const t = new LogText(limits);
    t.append("one\r\ntwo\nthr");
    expect(t.total).toBe(2);
    t.append("ee\n");
    expect(t.after(0, 10)).toEqual([{ n: 1, text: "one" }, { n: 2, text: "two" }, { n: 3, text: "three" }]);
    t.append("no newline at the end", true);
    expect(t.last(1)).toEqual([{ n: 4, text: "no newline at the end" }]);
  });

  it("cuts lines over maxLineChars with a marker that says how long they were", () => {
    const t = new LogText({ ...limits, maxLineChars: 10 });
    t.append(`${"x".repeat(25)}\nshort\n`);
    expect(t.after(0, 5)).toEqual([{ n: 1, text: "xxxxxxxxxx [buildgate: line cut, 25 characters]" }, { n: 2, text: "short" }]);
  });

  it("answers after/last by line number, and never more than MAX_SLICE_BYTES of text", () => {
    const t = new LogText({ maxBytes: 64 * 1024 * 1024, maxLineChars: 10_000 });
    t.append(Array.from({ length: 2000 }, (_, i) => `${i + 1}:${"y".repeat(9_990)}`).join("\n") + "\n");
    expect(t.after(10, 3).map((l) => l.n)).toEqual([11, 12, 13]);
    expect(t.last(2).map((l) => l.n)).toEqual([1999, 2000]);
    const big = t.after(0, 5000);
    expect(big.length).toBeLessThan(2000);
    expect(big.reduce((s, l) => s + l.text.length, 0)).toBeLessThanOrEqual(MAX_SLICE_BYTES);
    expect(t.after(2000, 10)).toEqual([]);
  });

  it("drops the oldest lines past maxBytes, keeps the numbering, and marks the gap", () => {
    const t = new LogText({ maxBytes: 10_000, maxLineChars: 10_000 });
    for (let i = 1; i <= 2000; i++) t.append(`line ${String(i).padStart(4, "0")}\n`);
    expect(t.total).toBe(2000);
    expect(t.bytes).toBeLessThanOrEqual(10_000);
    expect(t.dropped).toBeGreaterThan(0);
    const first = t.after(0, 2);
    expect(first[0]).toEqual({ n: t.dropped, text: expect.stringContaining(`lines 1-${t.dropped} are not kept`) });
    expect(first[1]).toEqual({ n: t.dropped + 1, text: `line ${String(t.dropped + 1).padStart(4, "0")}` });
    expect(t.last(1)).toEqual([{ n: 2000, text: "line 2000" }]);
  });

  it("restores what keptLines saved, numbering and all", () => {
    const t = new LogText({ maxBytes: 2_000, maxLineChars: 100 });
    for (let i = 1; i <= 600; i++) t.append(`l${i}\n`);
    const back = LogText.restore({ maxBytes: 2_000, maxLineChars: 100 }, t.dropped, `${t.keptLines().join("\n")}\n`);
    expect(back.total).toBe(600);
    expect(back.dropped).toBeGreaterThan(0);
    expect(back.after(0, 1000)).toEqual(t.after(0, 1000));
  });
});
