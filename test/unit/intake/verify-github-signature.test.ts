import { verifyGithubSignature } from "../../../src/intake/verify-github-signature.js";

// The test vector from GitHub's "Validating webhook deliveries".
const SECRET = "It's a Secret to Everybody";
const BODY = "Hello, World!";
const VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

describe("verifyGithubSignature", () => {
  it("accepts GitHub's documented test vector", async () => {
    expect(await verifyGithubSignature([SECRET], BODY, VECTOR)).toBe(true);
  });

  it("accepts a signature made with a later secret in the list (rotation)", async () => {
    expect(await verifyGithubSignature(["new-secret", SECRET], BODY, VECTOR)).toBe(true);
  });

  it.each([
    { name: "missing", sig: undefined },
    { name: "empty", sig: "" },
    { name: "64 zeros", sig: `sha256=${"0".repeat(64)}` },
    { name: "short", sig: "sha256=abc" },
    { name: "non-hex", sig: `sha256=${"z".repeat(64)}` },
    { name: "uppercase hex", sig: VECTOR.toUpperCase() },
    { name: "sha1 prefix", sig: VECTOR.replace("sha256=", "sha1=") },
    { name: "no prefix", sig: VECTOR.slice("sha256=".length) },
    { name: "trailing garbage", sig: `${VECTOR}00` },
  ])("rejects a $name signature without throwing", async ({ sig }) => {
    await expect(verifyGithubSignature([SECRET], BODY, sig)).resolves.toBe(false);
  });

  it("rejects a changed body and a wrong secret", async () => {
    expect(await verifyGithubSignature([SECRET], "Hello, World?", VECTOR)).toBe(false);
    expect(await verifyGithubSignature(["another secret"], BODY, VECTOR)).toBe(false);
  });

  it("rejects an empty body and an empty secret list", async () => {
    expect(await verifyGithubSignature([SECRET], "", VECTOR)).toBe(false);
    expect(await verifyGithubSignature([], BODY, VECTOR)).toBe(false);
  });
});
