import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuildLog, formatLogTime } from "../../../../src/builders/local/build-log.js";

const AT = Date.UTC(2026, 10, 26, 10, 0, 0);

describe("BuildLog", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "bg-log-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("formats times as CodeBuild's container log does (UTC)", () => {
    expect(formatLogTime(AT)).toBe("2026/11/26 10:00:00");
    expect(formatLogTime(Date.UTC(2027, 0, 2, 3, 4, 5))).toBe("2027/01/02 03:04:05");
  });

  it("writes [Container] lines, each on a line of its own even after output without a newline", async () => {
    const log = new BuildLog(join(dir, "build.log"), 1000, () => AT);
    log.line("Running command echo -n hi");
    log.output(Buffer.from("hi"));
    log.line("Phase complete: BUILD State: SUCCEEDED");
    await log.close();
    expect(readFileSync(join(dir, "build.log"), "utf8")).toBe(
      "[Container] 2026/11/26 10:00:00 Running command echo -n hi\nhi\n[Container] 2026/11/26 10:00:00 Phase complete: BUILD State: SUCCEEDED\n",
    );
  });

  it("keeps at most maxBytes of output, then one marker line, and still writes its own lines", async () => {
    const log = new BuildLog(join(dir, "build.log"), 10, () => AT);
    log.output(Buffer.from("12345678"));
    log.output(Buffer.from("90abcdef"));
    log.output(Buffer.from("dropped"));
    log.line("Phase complete: BUILD State: SUCCEEDED");
    await log.close();
    expect(readFileSync(join(dir, "build.log"), "utf8")).toBe(
      "1234567890\n[Container] 2026/11/26 10:00:00 Output truncated: the build printed more than 10 bytes; further output is dropped\n" +
        "[Container] 2026/11/26 10:00:00 Phase complete: BUILD State: SUCCEEDED\n",
    );
  });
});
