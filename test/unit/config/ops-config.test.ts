import { ConfigError } from "../../../src/config/config-error.js";
import { parseConfig } from "../../../src/config/load-config.js";

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("config: server.metricsToken and jobs.drainSeconds", () => {
  it("takes a metrics token (from the environment) and a drain bound", () => {
    const config = parseConfig('server: { metricsToken: "${METRICS_TOKEN}" }\njobs: { drainSeconds: 2.5 }\n', { METRICS_TOKEN: "m-0123456789" });
    expect(config.server.metricsToken).toBe("m-0123456789");
    expect(config.jobs.drainSeconds).toBe(2.5);
  });

  it("defaults to no token (loopback only) and 20 s", () => {
    const config = parseConfig("", {});
    expect(config.server.metricsToken).toBeUndefined();
    expect(config.jobs.drainSeconds).toBe(20);
  });

  it.each([
    { text: 'server: { metricsToken: "" }', key: "server.metricsToken" },
    { text: "jobs: { drainSeconds: -1 }", key: "jobs.drainSeconds" },
    { text: "jobs: { drainSeconds: 301 }", key: "jobs.drainSeconds" },
  ])("refuses $text", ({ text, key }) => {
    expect(problemsOf(text).join("\n")).toContain(key);
  });
});
