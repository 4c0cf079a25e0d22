import { SentinelSplitter, type ShellEvent } from "../../../../src/builders/local/sentinel-splitter.js";

const MARK = "__buildgate_0123456789abcdef__:";

/** Feeds chunks and folds the events into a readable list: output text joined, "done" as [seq, status]. */
function run(chunks: readonly string[]): Array<string | [number, number]> {
  const s = new SentinelSplitter(MARK);
  const events: ShellEvent[] = [];
  for (const c of chunks) events.push(...s.push(Buffer.from(c, "utf8")));
  events.push(...s.flush());
  const out: Array<string | [number, number]> = [];
  for (const e of events) {
    if (e.kind === "done") out.push([e.seq, e.exitCode]);
    else if (typeof out[out.length - 1] === "string") out[out.length - 1] += e.data.toString("utf8");
    else out.push(e.data.toString("utf8"));
  }
  return out;
}

describe("SentinelSplitter", () => {
  it.each([
    { name: "output then marker in one chunk", chunks: [`hello\n${MARK}1:0\n`], want: ["hello\n", [1, 0]] },
    { name: "marker right after output without a newline", chunks: [`no newline${MARK}2:1\n`], want: ["no newline", [2, 1]] },
    { name: "two commands in one chunk", chunks: [`a\n${MARK}1:0\nb\n${MARK}2:127\n`], want: ["a\n", [1, 0], "b\n", [2, 127]] },
    { name: "marker split across chunks", chunks: ["out\n__build", "gate_0123456789abcdef", "__:3:", "0", "\nafter"], want: ["out\n", [3, 0], "after"] },
    { name: "marker split byte by byte", chunks: [...`x${MARK}4:2\n`], want: ["x", [4, 2]] },
    { name: "a lookalike without the nonce is output", chunks: ["__buildgate_other__:1:0\n"], want: ["__buildgate_other__:1:0\n"] },
    { name: "the marker with a malformed tail is output", chunks: [`${MARK}oops\n`], want: [`${MARK}oops\n`] },
    { name: "an unfinished marker at the end is flushed as output", chunks: [`tail${MARK}5:`], want: [`tail${MARK}5:`] },
  ])("$name", ({ chunks, want }) => {
    expect(run(chunks)).toEqual(want);
  });

  it("passes raw bytes through untouched, even a UTF-8 character split between chunks", () => {
    const s = new SentinelSplitter(MARK);
    const bytes = Buffer.from("café ✓\n", "utf8");
    const events = [...s.push(bytes.subarray(0, 4)), ...s.push(bytes.subarray(4)), ...s.push(Buffer.from(`${MARK}1:0\n`)), ...s.flush()];
    const output = Buffer.concat(events.flatMap((e) => (e.kind === "output" ? [e.data] : [])));
    expect(output.equals(bytes)).toBe(true);
    expect(events[events.length - 1]).toEqual({ kind: "done", seq: 1, exitCode: 0 });
  });

  it("holds back only what could start a marker, so ordinary output is not delayed", () => {
    const s = new SentinelSplitter(MARK);
    const events = s.push(Buffer.from("progress 50%__build"));
    expect(events).toEqual([{ kind: "output", data: Buffer.from("progress 50%") }]);
  });
});
