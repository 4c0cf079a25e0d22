import { HttpError } from "../../../../src/domain/http-error.js";
import { parseBuildFilter, parseRefFilter, parseStateFilter } from "../../../../src/web/board/build-filter.js";

describe("parseRefFilter: refs as the pages show them", () => {
  it.each([
    ["refs/heads/main", { ref: "refs/heads/main" }],
    ["refs/tags/v1.0", { ref: "refs/tags/v1.0" }],
    ["main", { ref: ["refs/heads/main", "refs/tags/main"], pullRequest: null }],
    ["feature/board", { ref: ["refs/heads/feature/board", "refs/tags/feature/board"], pullRequest: null }],
    ["v1.0", { ref: ["refs/heads/v1.0", "refs/tags/v1.0"], pullRequest: null }],
    ["#12", { pullRequest: 12 }],
    ["pr#7", { pullRequest: 7 }],
    ["PR#7", { pullRequest: 7 }],
    // A branch may be called "12": only "#12" names a pull request.
    ["12", { ref: ["refs/heads/12", "refs/tags/12"], pullRequest: null }],
    ["#12a", { ref: ["refs/heads/#12a", "refs/tags/#12a"], pullRequest: null }],
  ])("%s → %j", (value, want) => {
    expect(parseRefFilter(value)).toEqual(want);
  });
});

describe("parseStateFilter", () => {
  it.each(["pending", "running", "failed", "timed_out", "skipped"])("takes %s", (s) => {
    expect(parseStateFilter(s)).toBe(s);
  });
  it("takes nothing as no filter", () => {
    expect(parseStateFilter(undefined)).toBeUndefined();
    expect(parseStateFilter("")).toBeUndefined();
  });
  it.each([["bogus"], ["FAILED"], ["timed out"], [["failed", "running"]]])("refuses %j with a 400 that lists the valid states", (value) => {
    let error: unknown;
    try {
      parseStateFilter(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toMatch(/the valid states are pending, queued, running, succeeded, failed, stopped, timed_out, errored, skipped$/);
  });
  it("quotes at most 40 characters of what it refuses", () => {
    expect(() => parseStateFilter(`x${"<".repeat(100)}`)).toThrow(`unknown state "x${"<".repeat(39)}"`);
  });
});

describe("parseBuildFilter", () => {
  it("keeps the form's values as given and widens the store's", () => {
    expect(parseBuildFilter({ repository: " Codertocat/Hello-World ", route: "hello", ref: "main", state: "failed" })).toEqual({
      form: { repository: "Codertocat/Hello-World", route: "hello", ref: "main", state: "failed" },
      filter: { repository: "Codertocat/Hello-World", route: "hello", ref: ["refs/heads/main", "refs/tags/main"], pullRequest: null, state: "failed" },
    });
  });
  it("drops empty, too long and repeated values", () => {
    expect(parseBuildFilter({ repository: "", route: "r".repeat(201), ref: ["a", "b"] })).toEqual({ form: {}, filter: {} });
  });
  it("turns a pull request lane into its number", () => {
    expect(parseBuildFilter({ ref: "#12" }).filter).toEqual({ pullRequest: 12 });
  });
});
