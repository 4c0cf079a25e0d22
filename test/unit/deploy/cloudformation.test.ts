import { readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type CollectionTag, type ScalarTag } from "yaml";
import { ConfigError } from "../../../src/config/config-error.js";
import { parseConfig } from "../../../src/config/load-config.js";
import { HANDLED_DETAIL_TYPES } from "../../../src/providers/codecommit/normalize-codecommit-delivery.js";

/*
 * Structural checks of deploy/buildgate.cfn.yaml without AWS (no cfn-lint here): the template is
 * parsed with the CloudFormation short forms, Fn::ForEach is expanded for sample parameter values,
 * and a small evaluator resolves Ref / Fn::Sub / Fn::If … for a given set of parameters, so the
 * SQLite default and the PostgreSQL variant can both be inspected as CloudFormation would build them.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const asObject = (v: unknown, what: string): JsonObject => {
  if (!isObject(v)) throw new Error(`${what} is not an object`);
  return v;
};
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

// ------------------------------------------------------------------------------------------ parsing

const SHORT_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  Sub: "Fn::Sub",
  GetAtt: "Fn::GetAtt",
  Join: "Fn::Join",
  Split: "Fn::Split",
  Select: "Fn::Select",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  FindInMap: "Fn::FindInMap",
  Base64: "Fn::Base64",
  Cidr: "Fn::Cidr",
  GetAZs: "Fn::GetAZs",
  ImportValue: "Fn::ImportValue",
};

/** `!GetAtt A.B.C` is resource A, attribute "B.C". */
const splitGetAtt = (v: string) => {
  const dot = v.indexOf(".");
  return dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)];
};

const CFN_TAGS: (ScalarTag | CollectionTag)[] = Object.entries(SHORT_FORMS).flatMap(([short, long]): (ScalarTag | CollectionTag)[] => [
  { tag: `!${short}`, resolve: (v: string) => ({ [long]: short === "GetAtt" ? splitGetAtt(v) : v }) },
  { tag: `!${short}`, collection: "seq", resolve: (seq) => ({ [long]: seq.toJSON() as Json }) },
  { tag: `!${short}`, collection: "map", resolve: (map) => ({ [long]: map.toJSON() as Json }) },
]);

const parseTemplate = (text: string) => asObject(parse(text, { customTags: CFN_TAGS, uniqueKeys: true }), "template");

/** Replaces the loop identifier as Fn::ForEach does: ${Id} in strings, &{Id} (alphanumerics only) in keys, Ref Id. */
function substitute(node: Json, id: string, value: string): Json {
  if (typeof node === "string") return node.split(`\${${id}}`).join(value).split(`&{${id}}`).join(value.replace(/[^A-Za-z0-9]/g, ""));
  if (Array.isArray(node)) return node.map((n) => substitute(n, id, value));
  if (isObject(node)) {
    if (Object.keys(node).length === 1 && node.Ref === id) return value;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k, id, value) as string, substitute(v, id, value)]));
  }
  return node;
}

/** Expands `Fn::ForEach::Name: [Id, collection, fragment]` keys of a section, for the given list parameters. */
function expandForEach(section: JsonObject, lists: Record<string, string[]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(section)) {
    if (!key.startsWith("Fn::ForEach::")) {
      out[key] = value;
      continue;
    }
    const [id, collection, fragment] = value as [string, Json, JsonObject];
    const items = Array.isArray(collection) ? (collection as string[]) : lists[String(asObject(collection, key).Ref)];
    if (!items) throw new Error(`${key}: no values for its collection`);
    for (const item of items) {
      for (const [k, v] of Object.entries(fragment)) {
        const name = substitute(k, id, item) as string;
        if (name in out || name in section) throw new Error(`${key}: logical id ${name} is produced twice`);
        out[name] = substitute(v, id, item);
      }
    }
  }
  return out;
}

// --------------------------------------------------------------------------- the template and its inputs

const RAW = parseTemplate(read("deploy/buildgate.cfn.yaml"));
const PARAMETERS = asObject(RAW.Parameters, "Parameters");
const CONDITIONS = asObject(RAW.Conditions ?? {}, "Conditions");
const OUTPUTS = asObject(RAW.Outputs ?? {}, "Outputs");

const PROJECTS = ["api-ci", "web_ci"];
const REGION = "eu-west-1";
const ACCOUNT = "111122223333";
const DOMAIN = "buildgate.example.com";
const REPOSITORY = "my-repo";
const PASSWORD_HASH = "scrypt$32768$8$1$eDTFp//AOvzkkhEGcBqUHA==$BcuopyPqSmlcHAfa0g2gOntPBru8BB+ym7Mxvlaea2w=";
const DATABASE_SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:buildgate/db-url-AbCdEf`;
const DATABASE_URL = "postgres://buildgate:pw@db.internal:5432/buildgate";

/** Values for the parameters without a default; the rest take their defaults. */
const SAMPLE: Record<string, string | string[]> = {
  DomainName: DOMAIN,
  VpcId: "vpc-0123456789abcdef0",
  PublicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
  PrivateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
  CertificateArn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0b5e7a8c-1111-2222-3333-444455556666`,
  ContainerImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/buildgate:1.0.0`,
  CodeBuildProjectNames: PROJECTS,
  CodeCommitRepositoryName: REPOSITORY,
  GitHubWebhookSecret: "github-secret-0123456789",
  EventBridgeApiKey: "eventbridge-key-0123456789",
  BoardSessionSecret: "board-session-secret-0123456789abcdef",
  BoardOperatorPasswordHash: PASSWORD_HASH,
};

const TEMPLATE: JsonObject = { ...RAW, Resources: expandForEach(asObject(RAW.Resources, "Resources"), { CodeBuildProjectNames: PROJECTS }) };
const RESOURCES = asObject(TEMPLATE.Resources, "Resources");
const resource = (name: string) => asObject(RESOURCES[name], `resource ${name}`);
const props = (name: string) => asObject(resource(name).Properties, `${name}.Properties`);
const ofType = (type: string) => Object.entries(RESOURCES).filter(([, r]) => isObject(r) && r.Type === type).map(([name]) => name);

const PSEUDO: Record<string, string> = {
  "AWS::AccountId": ACCOUNT,
  "AWS::Partition": "aws",
  "AWS::Region": REGION,
  "AWS::StackName": "buildgate",
  "AWS::StackId": `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/buildgate/1`,
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::NotificationARNs": "",
  "AWS::NoValue": "",
};

// --------------------------------------------------------------------------------- the evaluator

const NO_VALUE = "\u0000AWS::NoValue";

/** What a Ref to a resource returns, close enough to check wiring (an ARN where buildgate's config validates one). */
function refOfResource(name: string): string {
  const type = resource(name).Type;
  if (type === "AWS::SNS::Topic") return `arn:aws:sns:${REGION}:${ACCOUNT}:buildgate-${name}`;
  if (type === "AWS::SecretsManager::Secret") return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:buildgate/${name}`;
  return `ref:${name}`;
}

function scenario(overrides: Record<string, string | string[]> = {}) {
  const params: Record<string, string | string[]> = {};
  for (const [name, def] of Object.entries(PARAMETERS)) {
    const d = asObject(def, name).Default;
    if (d !== undefined) params[name] = String(d);
  }
  Object.assign(params, SAMPLE, overrides);
  const memo = new Map<string, boolean>();

  const condition = (name: string): boolean => {
    if (!memo.has(name)) {
      if (!(name in CONDITIONS)) throw new Error(`condition ${name} is not declared`);
      memo.set(name, Boolean(evaluate(CONDITIONS[name] as Json)));
    }
    return memo.get(name) as boolean;
  };

  const ref = (name: string): unknown => {
    if (name === "AWS::NoValue") return NO_VALUE;
    if (name in PSEUDO) return PSEUDO[name];
    if (name in params) return params[name];
    if (name in RESOURCES) return refOfResource(name);
    throw new Error(`Ref ${name}: not a parameter, resource or pseudo parameter`);
  };

  const sub = (text: string, vars: Record<string, unknown>): string =>
    text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith("!")) return `\${${inner.slice(1)}}`;
      if (inner in vars) return String(vars[inner]);
      if (inner.includes(".") && !inner.startsWith("AWS::")) return inner; // GetAtt
      const value = ref(inner);
      if (Array.isArray(value)) throw new Error(`Fn::Sub: \${${inner}} is a list`);
      return String(value);
    });

  function evaluate(node: Json): unknown {
    if (Array.isArray(node)) return node.map(evaluate).filter((v) => v !== NO_VALUE);
    if (!isObject(node)) return node;
    const keys = Object.keys(node);
    const [fn] = keys;
    if (keys.length === 1 && fn !== undefined && (fn === "Ref" || fn === "Condition" || fn.startsWith("Fn::"))) {
      const arg = node[fn] as Json;
      const args = Array.isArray(arg) ? arg : [arg];
      switch (fn) {
        case "Ref":
          return ref(String(arg));
        case "Condition":
          return condition(String(arg));
        case "Fn::GetAtt":
          return args.join(".");
        case "Fn::Sub":
          return Array.isArray(arg) ? sub(String(arg[0]), asObject(evaluate(arg[1] ?? {}), "Fn::Sub variables")) : sub(String(arg), {});
        case "Fn::Join":
          return (evaluate(args[1] ?? []) as unknown[]).join(String(args[0]));
        case "Fn::Split":
          return String(evaluate(args[1] ?? "")).split(String(args[0]));
        case "Fn::Select":
          return (evaluate(args[1] ?? []) as unknown[])[Number(evaluate(args[0] ?? 0))];
        case "Fn::If":
          return condition(String(args[0])) ? evaluate(args[1] ?? null) : evaluate(args[2] ?? null);
        case "Fn::Equals":
          return JSON.stringify(evaluate(args[0] ?? null)) === JSON.stringify(evaluate(args[1] ?? null));
        case "Fn::Not":
          return !evaluate(args[0] ?? null);
        case "Fn::And":
          return args.every((a) => Boolean(evaluate(a)));
        case "Fn::Or":
          return args.some((a) => Boolean(evaluate(a)));
        default:
          throw new Error(`the evaluator does not know ${fn}`);
      }
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, evaluate(v)]).filter(([, v]) => v !== NO_VALUE));
  }

  /** The resource as CloudFormation would create it, or undefined when its condition is false. */
  const built = (name: string): Record<string, unknown> | undefined => {
    const r = resource(name);
    if (typeof r.Condition === "string" && !condition(r.Condition)) return undefined;
    return asObject(evaluate(r.Properties ?? {}), `${name}.Properties`) as Record<string, unknown>;
  };

  return { params, condition, evaluate, built };
}

// ------------------------------------------------------------------------------------ walkers

/** Every node of a tree with the Fn::If guards above it ("Cond" for the true branch, "!Cond" for the false one). */
function walk(node: Json, visit: (node: Json, guards: readonly string[]) => void, guards: readonly string[] = []): void {
  visit(node, guards);
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit, guards));
  else if (isObject(node)) {
    const ifArgs = node["Fn::If"];
    if (Object.keys(node).length === 1 && Array.isArray(ifArgs)) {
      const [cond, yes, no] = ifArgs;
      walk(cond ?? null, visit, guards);
      walk(yes ?? null, visit, [...guards, String(cond)]);
      walk(no ?? null, visit, [...guards, `!${String(cond)}`]);
    } else Object.values(node).forEach((n) => walk(n, visit, guards));
  }
}

interface Reference {
  readonly kind: "Ref" | "GetAtt" | "Sub" | "Condition";
  readonly target: string;
  readonly guards: readonly string[];
}

/** Ref, Fn::GetAtt, ${Name} / ${Name.Attr} inside Fn::Sub (not ${AWS::…}, not ${!literal}, not its own variables), conditions. */
function referencesIn(node: Json): Reference[] {
  const found: Reference[] = [];
  walk(node, (n, guards) => {
    if (!isObject(n) || Object.keys(n).length !== 1) return;
    if (typeof n.Ref === "string") found.push({ kind: "Ref", target: n.Ref, guards });
    if (typeof n.Condition === "string") found.push({ kind: "Condition", target: n.Condition, guards });
    const getAtt = n["Fn::GetAtt"];
    if (Array.isArray(getAtt)) found.push({ kind: "GetAtt", target: String(getAtt[0]), guards });
    const ifArgs = n["Fn::If"];
    if (Array.isArray(ifArgs)) found.push({ kind: "Condition", target: String(ifArgs[0]), guards });
    const subArg = n["Fn::Sub"];
    if (subArg !== undefined) {
      const [text, vars] = Array.isArray(subArg) ? [String(subArg[0]), asObject(subArg[1] ?? {}, "Fn::Sub variables")] : [String(subArg), {}];
      for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
        const inner = m[1] ?? "";
        if (inner.startsWith("!") || inner.startsWith("AWS::") || inner in vars) continue;
        found.push({ kind: "Sub", target: inner.split(".")[0] ?? inner, guards });
      }
    }
  });
  return found;
}

interface Statement {
  readonly where: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: Json[];
  readonly raw: JsonObject;
}

/** Every policy statement anywhere in a tree (identity policies, trust policies, resource policies). */
function statementsIn(node: Json, where: string): Statement[] {
  const found: Statement[] = [];
  walk(node, (n) => {
    if (!isObject(n) || !Array.isArray(n.Statement)) return;
    for (const s of n.Statement) {
      const st = asObject(s, `${where} statement`);
      found.push({ where, effect: String(st.Effect), actions: asList(st.Action).map(String), resources: asList(st.Resource ?? null) as Json[], raw: st });
    }
  });
  return found;
}

const templateText = (node: unknown) => JSON.stringify(node);

// ------------------------------------------------------------------------------------------ tests

describe("deploy/buildgate.cfn.yaml: structure", () => {
  it("is a 2010-09-09 template; every resource has an AWS type, properties and an alphanumeric logical id", () => {
    expect(TEMPLATE.AWSTemplateFormatVersion).toBe("2010-09-09");
    expect(Object.keys(RESOURCES).length).toBeGreaterThan(20);
    for (const [name, r] of Object.entries(RESOURCES)) {
      expect(name).toMatch(/^[A-Za-z0-9]{1,255}$/);
      const res = asObject(r, name);
      expect(String(res.Type)).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
      expect(isObject(res.Properties)).toBe(true);
    }
  });

  it("uses Fn::ForEach only with the AWS::LanguageExtensions transform, giving one CodeBuild policy per project", () => {
    const loops = Object.keys(asObject(RAW.Resources, "Resources")).filter((k) => k.startsWith("Fn::ForEach::"));
    expect(loops).toEqual(["Fn::ForEach::CodeBuildProjectPolicies"]);
    expect(RAW.Transform).toBe("AWS::LanguageExtensions");
    expect(ofType("AWS::IAM::RolePolicy").filter((n) => n.startsWith("TaskRoleCodeBuild")).sort()).toEqual(["TaskRoleCodeBuildapici", "TaskRoleCodeBuildwebci"]);
  });

  it("refers only to declared parameters, resources and pseudo parameters (Ref, Fn::GetAtt, Fn::Sub, DependsOn)", () => {
    const known = new Set([...Object.keys(PARAMETERS), ...Object.keys(RESOURCES)]);
    const problems: string[] = [];
    for (const section of ["Resources", "Outputs", "Conditions"] as const) {
      for (const ref of referencesIn(TEMPLATE[section] ?? {})) {
        if (ref.kind === "Condition") continue;
        if (ref.kind === "GetAtt" && !(ref.target in RESOURCES)) problems.push(`${section}: GetAtt ${ref.target} is not a resource`);
        if (ref.kind === "Ref" && ref.target.startsWith("AWS::") && !(ref.target in PSEUDO)) problems.push(`${section}: Ref ${ref.target} is not a pseudo parameter`);
        if (ref.kind !== "GetAtt" && !ref.target.startsWith("AWS::") && !known.has(ref.target)) problems.push(`${section}: ${ref.kind} ${ref.target} is neither a parameter nor a resource`);
        if (ref.kind === "Sub" && ref.target in PARAMETERS && String(asObject(PARAMETERS[ref.target], ref.target).Type).startsWith("List")) problems.push(`${section}: Fn::Sub uses the list ${ref.target}`);
      }
    }
    for (const [name, r] of Object.entries(RESOURCES)) {
      for (const dep of asList(asObject(r, name).DependsOn ?? [])) if (!(String(dep) in RESOURCES)) problems.push(`${name}: DependsOn ${String(dep)} is not a resource`);
    }
    expect(problems).toEqual([]);
  });

  it("references every parameter somewhere", () => {
    const used = new Set(referencesIn([TEMPLATE.Resources, TEMPLATE.Outputs ?? {}, TEMPLATE.Conditions ?? {}] as Json).map((r) => r.target));
    // The ForEach collection is a Ref in the raw template (the expansion consumed it).
    for (const r of referencesIn(RAW.Resources as Json)) used.add(r.target);
    expect(Object.keys(PARAMETERS).filter((p) => !used.has(p))).toEqual([]);
  });

  it("uses only declared conditions, and reaches a conditional resource only under its own condition", () => {
    const conditionOf = (name: string) => {
      const c = asObject(RESOURCES[name] ?? {}, name).Condition;
      return typeof c === "string" ? c : undefined;
    };
    const problems: string[] = [];
    const check = (owner: string, ownerCondition: string | undefined, node: Json) => {
      if (ownerCondition !== undefined && !(ownerCondition in CONDITIONS)) problems.push(`${owner}: condition ${ownerCondition} is not declared`);
      for (const ref of referencesIn(node)) {
        if (ref.kind === "Condition") {
          if (!(ref.target in CONDITIONS)) problems.push(`${owner}: condition ${ref.target} is not declared`);
          continue;
        }
        const needed = ref.target in RESOURCES ? conditionOf(ref.target) : undefined;
        if (needed !== undefined && needed !== ownerCondition && !ref.guards.includes(needed)) problems.push(`${owner}: refers to ${ref.target} (condition ${needed}) outside that condition`);
      }
    };
    for (const [name, r] of Object.entries(RESOURCES)) {
      const res = asObject(r, name);
      check(name, conditionOf(name), res.Properties as Json);
      for (const dep of asList(res.DependsOn ?? [])) {
        const needed = conditionOf(String(dep));
        if (needed !== undefined && needed !== conditionOf(name)) problems.push(`${name}: DependsOn ${String(dep)}, which has condition ${needed}`);
      }
    }
    for (const [name, o] of Object.entries(OUTPUTS)) {
      const out = asObject(o, name);
      check(`Outputs.${name}`, typeof out.Condition === "string" ? out.Condition : undefined, out.Value as Json);
    }
    check("Conditions", undefined, CONDITIONS);
    expect(problems).toEqual([]);
  });

  it("has outputs that each carry a value referring to existing things", () => {
    expect(Object.keys(OUTPUTS).length).toBeGreaterThan(5);
    for (const [name, o] of Object.entries(OUTPUTS)) {
      const out = asObject(o, name);
      expect(out.Value).toBeDefined();
      for (const ref of referencesIn(out.Value as Json)) {
        if (ref.kind === "GetAtt") expect(RESOURCES).toHaveProperty([ref.target]);
        else if (ref.kind !== "Condition" && !ref.target.startsWith("AWS::")) expect([...Object.keys(PARAMETERS), ...Object.keys(RESOURCES)]).toContain(ref.target);
      }
    }
  });

  it("accepts the sample values under the parameters' constraints, and refuses what buildgate would refuse", () => {
    const accepts = (name: string, value: string | string[]) => {
      const p = asObject(PARAMETERS[name], name);
      const values = Array.isArray(value) ? value : [value];
      return values.every(
        (v) =>
          (p.AllowedPattern === undefined || new RegExp(String(p.AllowedPattern)).test(v)) &&
          (p.MinLength === undefined || v.length >= Number(p.MinLength)) &&
          (p.AllowedValues === undefined || (p.AllowedValues as Json[]).map(String).includes(v)),
      );
    };
    for (const [name, value] of Object.entries(SAMPLE)) expect([name, accepts(name, value)]).toEqual([name, true]);
    for (const [name, def] of Object.entries(PARAMETERS)) {
      const d = asObject(def, name).Default;
      if (d !== undefined) expect([name, accepts(name, String(d))]).toEqual([name, true]);
      else expect(SAMPLE).toHaveProperty([name]);
    }
    // buildgate's own minimums: API key ≥ 16, session secret ≥ 32, a hash from `buildgate hash-password`.
    expect(accepts("EventBridgeApiKey", "fifteen-chars-x")).toBe(false);
    expect(accepts("EventBridgeApiKey", "has a space in it 0123")).toBe(false);
    expect(accepts("BoardSessionSecret", "x".repeat(31))).toBe(false);
    expect(accepts("BoardOperatorPasswordHash", "correct horse battery staple")).toBe(false);
    expect(accepts("DatabaseUrlSecretArn", "")).toBe(true);
    expect(accepts("DatabaseUrlSecretArn", DATABASE_URL)).toBe(false);
  });

  it("evaluates for the sample parameters without unknown functions", () => {
    const s = scenario();
    for (const name of Object.keys(RESOURCES)) expect(() => s.built(name)).not.toThrow();
    expect(() => s.evaluate(TEMPLATE.Outputs as Json)).not.toThrow();
  });
});

describe("deploy/buildgate.cfn.yaml: IAM", () => {
  const all = Object.entries(RESOURCES).flatMap(([name, r]) => statementsIn(asObject(r, name).Properties as Json, name));

  it("grants no '*' action or service wildcard, Resource '*' only for ecr:GetAuthorizationToken, and a wildcard only for the log streams of one named log group", () => {
    expect(all.length).toBeGreaterThan(10);
    for (const s of [scenario(), scenario({ DatabaseUrlSecretArn: DATABASE_SECRET })]) {
      const built = Object.keys(RESOURCES).flatMap((name) => statementsIn((s.built(name) ?? {}) as Json, name));
      for (const st of built) {
        expect(st.effect).toBe("Allow");
        for (const action of st.actions) {
          expect(action).not.toBe("*");
          expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/); // no "codebuild:*", no "codebuild:Get*"
        }
        expect(st.raw).not.toHaveProperty("NotAction");
        expect(st.raw).not.toHaveProperty("NotResource");
        expect(st.raw).not.toHaveProperty("NotPrincipal");
        if (st.actions.every((a) => a === "sts:AssumeRole")) {
          expect(st.raw.Resource).toBeUndefined();
          continue;
        }
        expect(st.resources.length).toBeGreaterThan(0);
        // A build's log stream is named after the build: GetLogEvents needs every stream of the project's group.
        const wildcards = st.resources.filter((r) => String(r).includes("*") && !/^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/[A-Za-z0-9._-]+:log-stream:\*$/.test(String(r)));
        if (wildcards.length > 0) expect({ where: st.where, actions: st.actions, resources: st.resources }).toEqual({ where: "ExecutionRole", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
      }
      expect(JSON.stringify(built.map((st) => st.raw.Principal ?? null))).not.toContain('"*"');
    }
  });

  const taskRoleStatements = (s: ReturnType<typeof scenario>) => {
    const role = asObject(props("TaskDefinition").TaskRoleArn, "TaskRoleArn")["Fn::GetAtt"] as string[];
    expect(role).toEqual(["TaskRole", "Arn"]);
    const inline = statementsIn(s.built("TaskRole")?.Policies as Json, "TaskRole");
    const attached = ofType("AWS::IAM::RolePolicy")
      .filter((name) => templateText(props(name).RoleName) === templateText({ Ref: "TaskRole" }))
      .flatMap((name) => statementsIn((s.built(name)?.PolicyDocument as Json) ?? null, name));
    expect(ofType("AWS::IAM::Policy").concat(ofType("AWS::IAM::ManagedPolicy"))).toEqual([]);
    expect(props("TaskRole")).not.toHaveProperty("ManagedPolicyArns");
    return [...inline, ...attached];
  };
  const byService = (statements: Statement[]) => {
    const map = new Map<string, { actions: Set<string>; resources: Set<string> }>();
    for (const st of statements) {
      for (const action of st.actions) {
        const service = action.split(":")[0] as string;
        const entry = map.get(service) ?? { actions: new Set(), resources: new Set() };
        entry.actions.add(action);
        st.resources.forEach((r) => entry.resources.add(String(r)));
        map.set(service, entry);
      }
    }
    return Object.fromEntries([...map].map(([k, v]) => [k, { actions: [...v.actions].sort(), resources: [...v.resources].sort() }]));
  };

  const CODEBUILD = { actions: ["codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject", "codebuild:StartBuild", "codebuild:StopBuild"], resources: PROJECTS.map((p) => `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${p}`).sort() };
  // The build page's log: GetLogEvents alone, on each project's default log group (/aws/codebuild/<project>).
  const LOGS = { actions: ["logs:GetLogEvents"], resources: PROJECTS.map((p) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${p}:log-stream:*`).sort() };
  const CODECOMMIT = {
    actions: ["codecommit:GetDifferences", "codecommit:GetPullRequest", "codecommit:PostCommentForComparedCommit", "codecommit:PostCommentForPullRequest", "codecommit:UpdatePullRequestApprovalState"],
    resources: [`arn:aws:codecommit:${REGION}:${ACCOUNT}:${REPOSITORY}`],
  };

  it("task role (SQLite default): exactly the CodeBuild actions on the listed projects, their log groups' GetLogEvents, the CodeCommit actions on the repository, the EFS mount", () => {
    const s = scenario();
    expect(byService(taskRoleStatements(s))).toEqual({
      codebuild: CODEBUILD,
      codecommit: CODECOMMIT,
      logs: LOGS,
      elasticfilesystem: { actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], resources: ["DataFileSystem.Arn"] },
    });
    const efs = taskRoleStatements(s).find((st) => st.actions.includes("elasticfilesystem:ClientMount"));
    expect(efs?.raw.Condition).toEqual({ StringEquals: { "elasticfilesystem:AccessPointArn": "DataAccessPoint.Arn" } });
  });

  it("task role (PostgreSQL): exactly the CodeBuild, build-log and CodeCommit actions", () => {
    expect(byService(taskRoleStatements(scenario({ DatabaseUrlSecretArn: DATABASE_SECRET })))).toEqual({ codebuild: CODEBUILD, codecommit: CODECOMMIT, logs: LOGS });
  });

  it("task role: every CodeBuild statement names exactly one project ARN", () => {
    const statements = taskRoleStatements(scenario()).filter((st) => st.actions.some((a) => a.startsWith("codebuild:")));
    expect(statements).toHaveLength(PROJECTS.length);
    for (const st of statements) {
      expect(st.actions.sort()).toEqual(CODEBUILD.actions);
      expect(st.resources).toHaveLength(1);
    }
  });

  it("task role: build logs are read only (GetLogEvents), one statement per project's log group, never a whole account's logs", () => {
    const statements = taskRoleStatements(scenario()).filter((st) => st.actions.some((a) => a.startsWith("logs:")));
    expect(statements).toHaveLength(PROJECTS.length);
    for (const st of statements) {
      expect(st.actions).toEqual(["logs:GetLogEvents"]);
      expect(st.resources).toHaveLength(1);
      expect(String(st.resources[0])).toMatch(/^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/[A-Za-z0-9._-]+:log-stream:\*$/);
    }
  });

  it("execution role: pulls from one ECR repository, writes to the stack's log group, reads exactly the container's secrets", () => {
    for (const s of [scenario(), scenario({ DatabaseUrlSecretArn: DATABASE_SECRET })]) {
      const statements = statementsIn(s.built("ExecutionRole")?.Policies as Json, "ExecutionRole");
      const services = byService(statements);
      expect(services.ecr).toEqual({
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer"],
        resources: ["*", `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/buildgate`],
      });
      expect(services.logs).toEqual({ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: ["LogGroup.Arn"] });
      const container = asObject((s.built("TaskDefinition")?.ContainerDefinitions as Json[])[0], "container");
      const fromContainer = (container.Secrets as JsonObject[]).map((x) => String(x.ValueFrom)).sort();
      expect(services.secretsmanager).toEqual({ actions: ["secretsmanager:GetSecretValue"], resources: fromContainer });
      expect(Object.keys(services).sort()).toEqual(["ecr", "logs", "secretsmanager"]);
    }
  });

  it("roles trust only their service, from this account", () => {
    const trusted = Object.fromEntries(
      ofType("AWS::IAM::Role").map((name) => {
        const [st, ...rest] = statementsIn(props(name).AssumeRolePolicyDocument as Json, name);
        expect(rest).toEqual([]);
        expect(st?.raw.Condition).toEqual({ StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } });
        return [name, st?.raw.Principal];
      }),
    );
    expect(trusted).toEqual({
      TaskRole: { Service: "ecs-tasks.amazonaws.com" },
      ExecutionRole: { Service: "ecs-tasks.amazonaws.com" },
      EventsInvokeRole: { Service: "events.amazonaws.com" },
    });
  });
});

describe("deploy/buildgate.cfn.yaml: secrets", () => {
  const SECRET_PARAMS = ["GitHubWebhookSecret", "EventBridgeApiKey", "BoardSessionSecret", "BoardOperatorPasswordHash"];

  it("takes the secrets as NoEcho parameters", () => {
    for (const p of SECRET_PARAMS) expect(asObject(PARAMETERS[p], p).NoEcho).toBe(true);
    const noEcho = Object.entries(PARAMETERS).filter(([, v]) => asObject(v, "param").NoEcho === true).map(([k]) => k);
    expect(noEcho.sort()).toEqual([...SECRET_PARAMS].sort());
  });

  it("stores each in its own Secrets Manager secret, injected into the container as a secret", () => {
    const s = scenario();
    const container = asObject((s.built("TaskDefinition")?.ContainerDefinitions as Json[])[0], "container");
    const secrets = Object.fromEntries((container.Secrets as JsonObject[]).map((x) => [String(x.Name), String(x.ValueFrom)]));
    const stored = Object.fromEntries(ofType("AWS::SecretsManager::Secret").map((name) => [refOfResource(name), templateText(props(name).SecretString)]));
    expect(Object.keys(stored)).toHaveLength(SECRET_PARAMS.length);
    const injected = Object.fromEntries(Object.entries(secrets).map(([env, arn]) => [env, stored[arn]]));
    expect(injected).toEqual({
      GITHUB_WEBHOOK_SECRET: templateText({ Ref: "GitHubWebhookSecret" }),
      EVENTBRIDGE_API_KEY: templateText({ Ref: "EventBridgeApiKey" }),
      BOARD_SESSION_SECRET: templateText({ Ref: "BoardSessionSecret" }),
      BOARD_OPERATOR_PASSWORD_HASH: templateText({ Ref: "BoardOperatorPasswordHash" }),
    });
  });

  it("never puts a secret parameter in outputs, tags, plain environment variables or metadata", () => {
    const container = asObject((props("TaskDefinition").ContainerDefinitions as Json[])[0], "container");
    const exposed = [TEMPLATE.Outputs ?? {}, container.Environment ?? [], ...Object.values(RESOURCES).map((r) => [asObject(r, "r").Metadata ?? {}, asObject(asObject(r, "r").Properties, "p").Tags ?? []])] as Json;
    const refs = referencesIn(exposed).map((r) => r.target);
    for (const p of SECRET_PARAMS) expect(refs).not.toContain(p);
    // Apart from its secret, the only other use is the EventBridge connection's API key.
    const uses = Object.entries(RESOURCES).filter(([, r]) => referencesIn(asObject(r, "r").Properties as Json).some((x) => x.target === "EventBridgeApiKey")).map(([n]) => n);
    expect(uses.sort()).toEqual(["EventBridgeApiKeyValue", "EventsConnection"]);
  });
});

describe("deploy/buildgate.cfn.yaml: intake wiring", () => {
  const s = scenario();

  it("subscribes https://<domain>/webhooks/sns to the topic CodeCommit may publish to", () => {
    const sub = s.built("CodeCommitTopicSubscription");
    expect(sub?.Protocol).toBe("https");
    expect(String(sub?.Endpoint)).toBe(`https://${DOMAIN}/webhooks/sns`);
    expect(String(sub?.Endpoint)).toMatch(/\/webhooks\/sns$/);
    expect(sub?.TopicArn).toBe(refOfResource("CodeCommitTopic"));
    const [publish, ...others] = statementsIn(s.built("CodeCommitTopicPolicy")?.PolicyDocument as Json, "CodeCommitTopicPolicy");
    expect(others).toEqual([]);
    expect(publish?.raw.Principal).toEqual({ Service: "codecommit.amazonaws.com" });
    expect(publish?.actions).toEqual(["sns:Publish"]);
    expect(publish?.resources).toEqual([refOfResource("CodeCommitTopic")]);
    expect(s.built("CodeCommitTopicPolicy")?.Topics).toEqual([refOfResource("CodeCommitTopic")]);
    // buildgate confirms the subscription itself: it must be running first.
    expect(resource("CodeCommitTopicSubscription").DependsOn).toEqual(["Service"]);
  });

  it("sends EventBridge events to https://<domain>/webhooks/eventbridge with the x-buildgate-key API key", () => {
    const destination = s.built("EventsApiDestination");
    expect(destination?.InvocationEndpoint).toBe(`https://${DOMAIN}/webhooks/eventbridge`);
    expect(String(destination?.InvocationEndpoint)).toMatch(/\/webhooks\/eventbridge$/);
    expect(destination?.HttpMethod).toBe("POST");
    expect(destination?.ConnectionArn).toBe("EventsConnection.Arn");
    const connection = s.built("EventsConnection");
    expect(connection?.AuthorizationType).toBe("API_KEY");
    expect(connection?.AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: "x-buildgate-key", ApiKeyValue: SAMPLE.EventBridgeApiKey } });
  });

  it("matches CodeCommit events of the repository and CodeBuild events of the projects, exactly the detail types buildgate handles", () => {
    const cc = asObject(s.built("CodeCommitEventsRule")?.EventPattern, "pattern");
    expect(cc).toEqual({
      source: ["aws.codecommit"],
      "detail-type": ["CodeCommit Repository State Change", "CodeCommit Pull Request State Change"],
      resources: [`arn:aws:codecommit:${REGION}:${ACCOUNT}:${REPOSITORY}`],
    });
    const cb = asObject(s.built("CodeBuildEventsRule")?.EventPattern, "pattern");
    expect(cb).toEqual({ source: ["aws.codebuild"], "detail-type": ["CodeBuild Build State Change", "CodeBuild Build Phase Change"], detail: { "project-name": PROJECTS } });
    expect([...(cc["detail-type"] as string[]), ...(cb["detail-type"] as string[])].sort()).toEqual([...HANDLED_DETAIL_TYPES].sort());
  });

  it("targets the API destination from every rule with a role, a retry policy and a dead-letter queue", () => {
    const rules = ofType("AWS::Events::Rule");
    expect(rules.sort()).toEqual(["CodeBuildEventsRule", "CodeCommitEventsRule"]);
    for (const rule of rules) {
      const built = s.built(rule);
      expect(built?.State).toBe("ENABLED");
      const targets = built?.Targets as Record<string, unknown>[];
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({ Arn: "EventsApiDestination.Arn", RoleArn: "EventsInvokeRole.Arn", DeadLetterConfig: { Arn: "EventsDeadLetterQueue.Arn" } });
      const retry = targets[0]?.RetryPolicy as { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
      expect(retry.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(retry.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(3600);
    }
    const [invoke, ...others] = statementsIn(s.built("EventsInvokeRole")?.Policies as Json, "EventsInvokeRole");
    expect(others).toEqual([]);
    expect(invoke?.actions).toEqual(["events:InvokeApiDestination"]);
    expect(invoke?.resources).toEqual(["EventsApiDestination.Arn"]);
    const [send, ...more] = statementsIn(s.built("EventsDeadLetterQueuePolicy")?.PolicyDocument as Json, "EventsDeadLetterQueuePolicy");
    expect(more).toEqual([]);
    expect(send?.raw.Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(send?.actions).toEqual(["sqs:SendMessage"]);
    expect(send?.raw.Condition).toEqual({ ArnEquals: { "aws:SourceArn": ["CodeCommitEventsRule.Arn", "CodeBuildEventsRule.Arn"] } });
  });

  it("outputs the three webhook URLs", () => {
    const out = s.evaluate(TEMPLATE.Outputs as Json) as Record<string, { Value: string }>;
    expect(out.GitHubWebhookUrl?.Value).toBe(`https://${DOMAIN}/webhooks/github`);
    expect(out.SnsEndpoint?.Value).toBe(`https://${DOMAIN}/webhooks/sns`);
    expect(out.EventBridgeEndpoint?.Value).toBe(`https://${DOMAIN}/webhooks/eventbridge`);
  });
});

describe("deploy/buildgate.cfn.yaml: load balancer and service", () => {
  const s = scenario();
  const container = (sc: ReturnType<typeof scenario>) => asObject((sc.built("TaskDefinition")?.ContainerDefinitions as Json[])[0], "container");
  const env = (sc: ReturnType<typeof scenario>) => Object.fromEntries((container(sc).Environment as JsonObject[]).map((e) => [String(e.Name), String(e.Value)]));

  it("serves HTTPS with the ACM certificate and redirects HTTP to HTTPS", () => {
    const https = s.built("HttpsListener");
    expect(https).toMatchObject({ Protocol: "HTTPS", Port: 443, Certificates: [{ CertificateArn: SAMPLE.CertificateArn }], DefaultActions: [{ Type: "forward", TargetGroupArn: "ref:TargetGroup" }] });
    const http = s.built("HttpListener");
    expect(http).toMatchObject({ Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }] });
    expect(s.built("LoadBalancer")).toMatchObject({ Scheme: "internet-facing", Subnets: SAMPLE.PublicSubnetIds });
  });

  it("health-checks /healthz on the container port the config and PORT use", () => {
    const tg = s.built("TargetGroup");
    expect(tg).toMatchObject({ TargetType: "ip", Protocol: "HTTP", Port: 8080, HealthCheckPath: "/healthz", Matcher: { HttpCode: "200" } });
    expect(container(s).PortMappings).toEqual([{ ContainerPort: 8080, Protocol: "tcp" }]);
    expect(env(s).PORT).toBe("8080");
    expect(String((container(s).HealthCheck as { Command: string[] }).Command.join(" "))).toContain("/healthz");
    expect(s.built("Service")?.LoadBalancers).toEqual([{ ContainerName: "buildgate", ContainerPort: 8080, TargetGroupArn: "ref:TargetGroup" }]);
  });

  it("closes idle connections before buildgate's 5-second keep-alive does", () => {
    const attrs = s.built("LoadBalancer")?.LoadBalancerAttributes as { Key: string; Value: string }[];
    const idle = Number(attrs.find((a) => a.Key === "idle_timeout.timeout_seconds")?.Value);
    expect(idle).toBeGreaterThanOrEqual(1);
    expect(idle).toBeLessThan(5);
  });

  it("lets the tasks be reached only from the load balancer, and NFS only from the tasks", () => {
    expect(s.built("ServiceSecurityGroup")?.SecurityGroupIngress).toEqual([expect.objectContaining({ FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: "ref:LoadBalancerSecurityGroup" })]);
    expect(s.built("DataSecurityGroup")?.SecurityGroupIngress).toEqual([expect.objectContaining({ FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: "ref:ServiceSecurityGroup" })]);
    expect(s.built("Service")?.NetworkConfiguration).toEqual({ AwsvpcConfiguration: { AssignPublicIp: "DISABLED", Subnets: SAMPLE.PrivateSubnetIds, SecurityGroups: ["ref:ServiceSecurityGroup"] } });
  });

  it("SQLite (the default): one task on an encrypted EFS volume at /app/data, never two tasks at once", () => {
    expect(s.condition("UseSqlite")).toBe(true);
    expect(s.built("Service")).toMatchObject({ DesiredCount: 1, DeploymentConfiguration: { MaximumPercent: 100, MinimumHealthyPercent: 0 } });
    expect(s.built("TaskDefinition")?.Volumes).toEqual([
      { Name: "data", EFSVolumeConfiguration: { FilesystemId: "ref:DataFileSystem", TransitEncryption: "ENABLED", AuthorizationConfig: { AccessPointId: "ref:DataAccessPoint", IAM: "ENABLED" } } },
    ]);
    expect(container(s).MountPoints).toEqual([{ SourceVolume: "data", ContainerPath: "/app/data", ReadOnly: false }]);
    expect(s.built("DataFileSystem")).toMatchObject({ Encrypted: true });
    expect(resource("DataFileSystem").DeletionPolicy).toBe("Retain");
    expect([s.built("DataMountTargetA")?.SubnetId, s.built("DataMountTargetB")?.SubnetId]).toEqual(SAMPLE.PrivateSubnetIds);
    expect((container(s).Secrets as JsonObject[]).map((x) => x.Name)).not.toContain("BUILDGATE_STORE_URL");
  });

  it("PostgreSQL: DesiredCount tasks with rolling deployments, the URL from its secret, no EFS", () => {
    const pg = scenario({ DatabaseUrlSecretArn: DATABASE_SECRET, DesiredCount: "3" });
    expect(pg.built("Service")).toMatchObject({ DesiredCount: "3", DeploymentConfiguration: { MaximumPercent: 200, MinimumHealthyPercent: 100 } });
    for (const name of ["DataFileSystem", "DataMountTargetA", "DataMountTargetB", "DataAccessPoint", "DataSecurityGroup"]) expect(pg.built(name)).toBeUndefined();
    expect(pg.built("TaskDefinition")).not.toHaveProperty("Volumes");
    expect(container(pg)).not.toHaveProperty("MountPoints");
    expect(container(pg).Secrets).toContainEqual({ Name: "BUILDGATE_STORE_URL", ValueFrom: DATABASE_SECRET });
  });

  it("gives buildgate time to drain on SIGTERM, and keeps the logs for the chosen retention", () => {
    expect(Number(container(s).StopTimeout)).toBeGreaterThanOrEqual(25);
    expect(s.built("LogGroup")?.RetentionInDays).toBe(String(asObject(PARAMETERS.LogRetentionDays, "LogRetentionDays").Default));
    expect(asObject(container(s).LogConfiguration, "logs")).toMatchObject({ LogDriver: "awslogs", Options: { "awslogs-group": "ref:LogGroup", "awslogs-region": REGION } });
  });

  it("runs the config file deploy/Dockerfile puts in the image", () => {
    const dockerfile = read("deploy/Dockerfile");
    const copy = /^COPY\s+buildgate\.ecs\.yaml\s+(\S+)$/m.exec(dockerfile);
    expect(copy?.[1]).toBeDefined();
    expect(env(s).BUILDGATE_CONFIG).toBe(copy?.[1]);
    expect(dockerfile).toContain(`ENV BUILDGATE_CONFIG=${env(s).BUILDGATE_CONFIG}`);
    expect(posix.isAbsolute(env(s).BUILDGATE_CONFIG ?? "")).toBe(true);
  });
});

describe("deploy/buildgate.ecs.yaml", () => {
  const CONFIG_TEXT = read("deploy/buildgate.ecs.yaml");

  /** The environment the task definition gives the container: plain variables, and each secret's value traced to its parameter. */
  function containerEnv(s: ReturnType<typeof scenario>): Record<string, string> {
    const c = asObject((s.built("TaskDefinition")?.ContainerDefinitions as Json[])[0], "container");
    const env: Record<string, string> = Object.fromEntries((c.Environment as JsonObject[]).map((e) => [String(e.Name), String(e.Value)]));
    const secretValues = Object.fromEntries(ofType("AWS::SecretsManager::Secret").map((name) => [refOfResource(name), String(s.built(name)?.SecretString)]));
    for (const secret of c.Secrets as JsonObject[]) {
      const from = String(secret.ValueFrom);
      env[String(secret.Name)] = from === DATABASE_SECRET ? DATABASE_URL : (secretValues[from] ?? `unknown secret ${from}`);
    }
    return env;
  }

  /** Every ${VAR} / ${VAR:-default} in the config's values (comments are not values). */
  const variables = () => {
    const found: { name: string; optional: boolean }[] = [];
    walk(parse(CONFIG_TEXT) as Json, (n) => {
      if (typeof n !== "string") return;
      for (const m of n.replace(/\$\$/g, "").matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)) found.push({ name: m[1] as string, optional: m[2] !== undefined });
    });
    return found;
  };

  it("is satisfied by the task definition's environment: every ${VAR} without a default is set", () => {
    const env = containerEnv(scenario());
    const missing = variables().filter((v) => !v.optional && !(v.name in env)).map((v) => v.name);
    expect(missing).toEqual([]);
    // And the task definition sets nothing the config or buildgate itself does not read.
    const consumed = new Set([...variables().map((v) => v.name), "BUILDGATE_CONFIG", "PORT", "LOG_LEVEL"]);
    expect(Object.keys(env).filter((k) => !consumed.has(k))).toEqual([]);
  });

  it("parses with buildgate's own loader (SQLite default): the store on the EFS mount, the stack's topic and API key header", () => {
    const s = scenario();
    const env = containerEnv(s);
    const config = parseConfig(CONFIG_TEXT, env);
    const mount = String((asObject((s.built("TaskDefinition")?.ContainerDefinitions as Json[])[0], "c").MountPoints as JsonObject[])[0]?.ContainerPath);
    expect(config.store.url).toBe(`sqlite:${mount}/buildgate.db`);
    expect(config.server).toMatchObject({ port: 8080, host: "0.0.0.0", publicUrl: `https://${DOMAIN}` });
    expect(config.github?.webhookSecrets).toEqual([SAMPLE.GitHubWebhookSecret]);
    expect(config.codecommit?.sns?.topicArns).toEqual([refOfResource("CodeCommitTopic")]);
    expect(config.codecommit?.sns?.confirmSubscriptions).toBe(true);
    const apiKey = asObject(asObject(s.built("EventsConnection")?.AuthParameters, "auth").ApiKeyAuthParameters, "apiKey");
    expect(config.codecommit?.eventbridge).toEqual({ apiKeyHeader: apiKey.ApiKeyName, apiKey: apiKey.ApiKeyValue });
    expect(config.codecommit?.region).toBe(REGION);
    expect(config.aws.region).toBe(REGION);
  });

  it("parses with the PostgreSQL URL from its secret", () => {
    const config = parseConfig(CONFIG_TEXT, containerEnv(scenario({ DatabaseUrlSecretArn: DATABASE_SECRET })));
    expect(config.store.url).toBe(DATABASE_URL);
  });

  it("serves the board with sign-in (so buildgate listens beyond loopback) and a shared session secret", () => {
    const config = parseConfig(CONFIG_TEXT, containerEnv(scenario()));
    expect(config.board?.auth.mode).toBe("local");
    expect(config.board?.auth.local?.users).toEqual([{ username: "admin", passwordHash: PASSWORD_HASH, role: "operator" }]);
    expect(config.board?.sessionSecret).toBe(SAMPLE.BoardSessionSecret);
  });

  it("routes only the stack's repository to projects the task role may start", () => {
    const config = parseConfig(CONFIG_TEXT, containerEnv(scenario()));
    expect(config.routes.length).toBeGreaterThan(0);
    for (const route of config.routes) {
      expect(route.builder).toBe("codebuild");
      expect(PROJECTS).toContain(route.project);
      expect(route.source).toEqual({ provider: "codecommit", repository: REPOSITORY, region: REGION, account: ACCOUNT });
    }
    expect(new Set(config.routes.flatMap((r) => r.on))).toEqual(new Set(["push", "pull_request"]));
    // Approving and commenting on commits need the task role's CodeCommit actions.
    expect(config.routes.some((r) => r.codecommit.approve)).toBe(true);
  });

  it("names the missing variable when the environment lacks one", () => {
    const env = containerEnv(scenario());
    delete env.EVENTBRIDGE_API_KEY;
    expect(() => parseConfig(CONFIG_TEXT, env)).toThrow(ConfigError);
    expect(() => parseConfig(CONFIG_TEXT, env)).toThrow(/EVENTBRIDGE_API_KEY/);
  });
});
