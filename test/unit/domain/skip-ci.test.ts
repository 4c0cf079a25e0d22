import { findSkipMarker } from "../../../src/domain/skip-ci.js";

describe("findSkipMarker", () => {
  it.each([
    { message: "Fix typo [skip ci]", want: "[skip ci]" },
    { message: "Docs only [CI SKIP]", want: "[ci skip]" },
    { message: "[no ci] bump", want: "[no ci]" },
    { message: "Normal commit about skipping CI", want: undefined },
    { message: undefined, want: undefined },
  ])("$message → $want", ({ message, want }) => {
    expect(findSkipMarker(message)).toBe(want);
  });
});
