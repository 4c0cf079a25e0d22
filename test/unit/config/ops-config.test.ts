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

describe("config: server.trustProxy", () => {
  it("believes no proxy by default", () => {
    expect(parseConfig("", {}).server.trustProxy).toBe(false);
  });

  it.each([
    { text: "server: { trustProxy: 1 }", value: 1 },
    { text: "server: { trustProxy: [10.0.0.0/8, loopback, '2001:db8::/32', 192.0.2.7] }", value: ["10.0.0.0/8", "loopback", "2001:db8::/32", "192.0.2.7"] },
  ])("takes $text", ({ text, value }) => {
    expect(parseConfig(text, {}).server.trustProxy).toEqual(value);
  });

  it.each([
    "server: { trustProxy: true }",
    "server: { trustProxy: 0 }",
    "server: { trustProxy: 11 }",
    "server: { trustProxy: [] }",
    "server: { trustProxy: [10.0.0.0/33] }",
    "server: { trustProxy: ['::1/129'] }",
    "server: { trustProxy: [alb.example.com] }",
    "server: { trustProxy: ['10.0.0.1/8/2'] }",
    "server: { trustProxy: [0.0.0.0/0] }",
    "server: { trustProxy: ['::/0'] }",
  ])("refuses %s", (text) => {
    expect(problemsOf(text).join("\n")).toContain("server.trustProxy");
  });
});

describe("config: jobs.keepFinishedDays", () => {
  it("keeps finished jobs 7 days unless told otherwise", () => {
    expect(parseConfig("", {}).jobs.keepFinishedDays).toBe(7);
    expect(parseConfig("jobs: { keepFinishedDays: 0.5 }", {}).jobs.keepFinishedDays).toBe(0.5);
  });

  it.each(["jobs: { keepFinishedDays: 0 }", "jobs: { keepFinishedDays: 4000 }", "jobs: { keepFinishedDays: soon }"])("refuses %s", (text) => {
    expect(problemsOf(text).join("\n")).toContain("jobs.keepFinishedDays");
  });
});
