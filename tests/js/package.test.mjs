// The kubeharden JavaScript package (dist/pkg/, built by `make dist`) in Node: it loads,
// checks and fixes manifests exactly as the CLI does (same JSON report for the same file,
// same hardened text), counts UTF-16 offsets right, returns errors as values and rejects
// bad options by name; and its TypeScript declarations compile a consumer (tsc --noEmit).
// Run: `node --test tests/js/` (after `npm ci` in tests/js and `make dist`; the CLI from
// `cargo build`, or KUBEHARDEN_BIN).
//
// A missing package or CLI FAILS the tests with the reason: nothing is skipped.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const pkgDir = resolve(process.env.KUBEHARDEN_PKG || join(root, "dist", "pkg"));
const cli = resolve(process.env.KUBEHARDEN_BIN || join(root, "target", "debug", "kubeharden"));

for (const [what, path, how] of [
  ["the built package", join(pkgDir, "kubeharden.js"), "run `make dist` (or bash scripts/js-pkg.sh after the playground's dist)"],
  ["the CLI", cli, "run `cargo build` or set KUBEHARDEN_BIN"],
]) {
  if (!existsSync(path)) throw new Error(`${what} is missing: ${path} does not exist; ${how}`);
}

const kh = await import(pathToFileURL(join(pkgDir, "kubeharden.js")).href);

// A comment with characters of 2 bytes / 1 UTF-16 unit (é) and 4 bytes / 2 units (🦀), so
// byte and UTF-16 offsets differ after it.
const MANIFEST = `# café 🦀: a privileged web server
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
`;

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "kubeharden-js-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in the temporary folder on `text` written to `name`; its stdout (status 2 is an input error, whose report is still written). */
function runCli(args, text, name = "manifest.yaml") {
  writeFileSync(join(dir, name), text);
  const r = spawnSync(cli, [...args, name], { cwd: dir, encoding: "utf8" });
  assert.ok([0, 1, 2].includes(r.status) && r.stdout, `${cli} ${args.join(" ")} ${name}: status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The CLI's JSON report for the same input, less `summary.target`: the CLI judges the target
 * version's support on today's date, and the package is given none (the library reads no clock). */
function cliReport(args, text, name) {
  const report = JSON.parse(runCli(args, text, name));
  assert.ok(report.summary.target, "the CLI reports the target's support");
  delete report.summary.target;
  return report;
}

test("calls before init() throw a clear error; init() is one shared promise", async () => {
  assert.equal(kh.isReady(), false);
  assert.throws(() => kh.check(MANIFEST), /before init\(\) finished/);
  const a = kh.init();
  const b = kh.init();
  assert.equal(a, b, "every caller shares one load");
  await a;
  assert.equal(kh.isReady(), true);
});

test("check() gives the CLI's JSON report (version 2) for the same file", () => {
  for (const options of [{}, { profile: "restricted", kubeVersion: "1.29" }, { profile: "baseline", kubeVersion: "v1.25" }, { rules: ["privileged-container", "host-namespaces"] }]) {
    const args = ["check", "--format", "json"];
    if (options.profile) args.push("--profile", options.profile);
    if (options.kubeVersion) args.push("--kube-version", options.kubeVersion);
    for (const r of options.rules ?? []) args.push("--rule", r);
    const expected = cliReport(args, MANIFEST, "app.yaml");
    const report = kh.check(MANIFEST, { ...options, file: "app.yaml" });
    assert.deepEqual(report, expected, JSON.stringify(options));
    assert.ok(report.findings.length > 0);
  }
  const report = kh.check(MANIFEST);
  assert.equal(report.findings[0].file, "manifest.yaml", "the default name");
  assert.equal(report.version, 2);
  assert.equal(report.tool.version, kh.version);
});

test("spans carry UTF-16 offsets that index the JavaScript string", () => {
  const report = kh.check(MANIFEST);
  const bytes = Buffer.from(MANIFEST);
  const privileged = report.findings.find((f) => f.rule === "privileged-container");
  assert.ok(privileged, "privileged-container is reported");
  assert.equal(privileged.span.start.line, 19);
  for (const f of report.findings) {
    const { start, end } = f.span;
    assert.equal(
      MANIFEST.slice(start.offset_utf16, end.offset_utf16),
      bytes.subarray(start.offset, end.offset).toString(),
      `${f.id}: the UTF-16 range covers the same text as the byte range`,
    );
  }
  assert.equal(MANIFEST.slice(privileged.span.start.offset_utf16).split(":")[0], "privileged");
  // Past the comment, UTF-16 offsets are 4 less than byte offsets: é (2 bytes, 1 unit) and 🦀 (4, 2), plus
  // nothing else non-ASCII.
  assert.equal(privileged.span.start.offset - privileged.span.start.offset_utf16, 3);
});

test("fix() gives the CLI's hardened text, and the report of what remains", () => {
  const cliText = runCli(["fix", "--unsafe"], MANIFEST);
  const result = kh.fix(MANIFEST, { unsafe: true });
  assert.equal(result.text, cliText);
  assert.notEqual(result.text, MANIFEST);
  assert.ok(result.applied.some((r) => r.rule === "privileged-container" && r.applicability === "unsafe"));
  assert.match(result.diff, /^--- a\/manifest\.yaml\n\+\+\+ b\/manifest\.yaml\n/);
  assert.match(result.diff, /^\+ +privileged: false$/m);
  const remaining = cliReport(["check", "--format", "json"], result.text);
  assert.deepEqual(result.remaining, remaining, "the report of the hardened text, as the CLI checks it");

  const safe = kh.fix(MANIFEST);
  assert.equal(safe.text, runCli(["fix"], MANIFEST), "safe fixes only by default");
  assert.ok(!safe.applied.some((r) => r.applicability === "unsafe"));

  const privileged = kh.check(MANIFEST).findings.find((f) => f.rule === "privileged-container");
  const kept = kh.fix(MANIFEST, { unsafe: true, exclude: [privileged.id] });
  assert.match(kept.text, /privileged: true/, "an excluded finding is not fixed");
  const only = kh.fix(MANIFEST, { unsafe: true, only: [privileged.id] });
  assert.deepEqual([...new Set([...only.applied, ...only.skipped].map((r) => r.id))], [privileged.id]);
});

test("bad YAML is a report with the error at its line, not an exception", () => {
  const broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n";
  const report = kh.check(broken);
  assert.equal(report.summary.errors, 1);
  assert.equal(report.errors[0].span.start.line, 4);
  assert.deepEqual(report, cliReport(["check", "--format", "json"], broken));
  const fixed = kh.fix(broken);
  assert.equal(fixed.text, broken, "an unreadable document is left as it is");
  assert.equal(fixed.remaining.summary.errors, 1);
  assert.equal(kh.check("").summary.findings, 0);
  assert.equal(kh.check("\u0000\uFFFF🦀: [").summary.errors, 1);
});

test("check({onProgress}) is told each stage as it starts and growing whole percentages, and changes nothing of the report", () => {
  // Enough documents that each stage is told more than once.
  const text = Array.from({ length: 40 }, (_, i) => MANIFEST.replace("name: web\n", `name: web-${i}\n`)).join("---\n");
  const told = [];
  const report = kh.check(text, { file: "app.yaml", onProgress: (percent, stage) => told.push([percent, stage]) });
  assert.deepEqual(report, kh.check(text, { file: "app.yaml" }), "the same report with and without a listener");
  assert.ok(told.length >= 4, JSON.stringify(told));
  const order = ["parse", "rules", "bundle", "report"];
  for (let i = 0; i < told.length; i++) {
    const [percent, stage] = told[i];
    assert.ok(Number.isInteger(percent) && percent >= 0 && percent <= 100, `percent ${percent}`);
    assert.ok(order.includes(stage), `stage ${stage}`);
    if (i > 0) {
      const [before, was] = told[i - 1];
      // Told as each stage starts, and within one each time the whole percentage grows.
      assert.ok(stage === was ? percent > before : percent >= before, `percentages only grow: ${JSON.stringify(told)}`);
      assert.ok(order.indexOf(stage) >= order.indexOf(was), `stages in order: ${JSON.stringify(told)}`);
    }
  }
  assert.equal(told[0][1], "parse", "reading the YAML is told first");
  assert.deepEqual([...new Set(told.map(([, s]) => s))], order, "every stage is told");
  // The report's sorting is told as it starts (73%), then its JSON's writing every 256
  // findings (done of all, 73% to 100%), as percentages grow.
  const n = report.findings.length;
  assert.ok(n > 512, `${n} findings`);
  const expected = [73];
  for (let done = 256; done < n; done += 256) expected.push(Math.floor(73 + (27 * done) / n));
  assert.deepEqual(
    told.filter(([, s]) => s === "report").map(([p]) => p),
    [...new Set(expected)],
  );
});

test("onProgress: not a function, or given to fix(), is an OptionError; what it throws check() throws when done; a promise it returns is a TypeError", () => {
  for (const [call, message] of [
    [() => kh.check(MANIFEST, { onProgress: "yes" }), /onProgress must be a function/],
    [() => kh.fix(MANIFEST, { onProgress: () => {} }), /onProgress is an option of check\(\) only/],
    [() => kh.fix(MANIFEST, { onProgress: null }), /onProgress is an option of check\(\) only/],
    [() => kh.check(MANIFEST, { profile: () => "all" }), /profile must not be a function/],
  ]) {
    assert.throws(call, (e) => e instanceof kh.OptionError && message.test(e.message), String(call));
  }
  let calls = 0;
  const boom = new Error("listener failed");
  assert.throws(
    () =>
      kh.check(MANIFEST, {
        onProgress: () => {
          calls += 1;
          throw boom;
        },
      }),
    (e) => e === boom,
  );
  assert.equal(calls, 1, "a listener that threw is not called again");
  // An async listener: its promise would settle after check() returned, a failure unseen
  // (in Node an unhandled rejection ends the process): check() throws a TypeError instead,
  // once, and the rejection is handled (this test would end the process otherwise).
  let asyncCalls = 0;
  assert.throws(
    () =>
      kh.check(MANIFEST, {
        onProgress: async () => {
          asyncCalls += 1;
          throw new Error("async listener failed");
        },
      }),
    (e) => e instanceof TypeError && /onProgress returned a promise/.test(e.message),
  );
  assert.equal(asyncCalls, 1);
  // The engine is not re-entrant: a call from onProgress throws, and the check throws that.
  assert.throws(() => kh.check(MANIFEST, { onProgress: () => kh.check(MANIFEST) }), /check\(\) called from a check's onProgress/);
  // undefined is no option, for fix() too: a check's options spread into fix() minus the listener.
  assert.equal(kh.fix(MANIFEST, { onProgress: undefined }).text, kh.fix(MANIFEST).text);
  // The engine is sound afterwards.
  assert.deepEqual(kh.check(MANIFEST, { onProgress: undefined }), kh.check(MANIFEST));
});

test("invalid options throw an OptionError naming the option", () => {
  const cases = [
    [() => kh.check(MANIFEST, { profile: "strict" }), "profile", /unknown profile "strict"/],
    [() => kh.check(MANIFEST, { kubeVersion: 1.3 }), "kubeVersion", /must be a string/],
    [() => kh.check(MANIFEST, { kubeVersion: "1.99" }), "kubeVersion", /newer than the newest/],
    [() => kh.check(MANIFEST, { rules: ["host-namespace"] }), "rules", /did you mean "host-namespaces"/],
    [() => kh.check(MANIFEST, { rules: "host-namespaces" }), "rules", /array/],
    [() => kh.check(MANIFEST, { profil: "all" }), "profil", /not an option/],
    [() => kh.check(MANIFEST, { unsafe: true }), "unsafe", /not an option/],
    [() => kh.fix(MANIFEST, { unsafe: "yes" }), "unsafe", /true or false/],
    [() => kh.fix(MANIFEST, { only: [1] }), "only", /only\[0\]/],
    [() => kh.check(42), "text", /must be a string/],
    [() => kh.check(MANIFEST, "restricted"), "options", /must be an object/],
  ];
  for (const [call, option, message] of cases) {
    assert.throws(call, (e) => e instanceof kh.OptionError && e instanceof TypeError && e.option === option && message.test(e.message), String(call));
  }
  // Named as written, not by the minifier (Node prints an uncaught error by its class's name).
  assert.equal(kh.OptionError.name, "OptionError");
  // The engine still works after refusing options.
  assert.ok(kh.check(MANIFEST).findings.length > 0);
});

// A configuration with something of every kind: profile and version, a rule off, a severity,
// parameters, a custom rule (docs/config.md's example) and an exemption with a path glob.
const CONFIG = `profile: restricted
kube-version: "1.29"
rules:
  host-namespaces: {severity: low}
  seccomp-required: off
  capabilities-restricted: {params: {allowed_add: [NET_BIND_SERVICE, CHOWN]}}
custom-rules:
  - id: images-from-our-registry
    title: Image from a registry we do not run
    severity: high
    area: controls
    template: image-registry
    params: {allowed: [registry.example.com]}
    fix: {guidance: Push the image to registry.example.com and pull it from there.}
    rationale: Only images built and scanned by our pipeline may run.
    remediation: Mirror the image into registry.example.com and reference it there.
    references: [https://kubernetes.io/docs/concepts/containers/images/]
exemptions:
  - rule: privileged-container
    paths: ["app*.yaml"]
    reason: the lab's web server, removed after the course
`;

/** Runs the CLI in a folder of its own holding `config` as .kubeharden.yaml (found by discovery, or named by --config). */
function runConfigured(args, text, config, { name = "manifest.yaml", flag = true } = {}) {
  const folder = mkdtempSync(join(dir, "configured-"));
  writeFileSync(join(folder, ".kubeharden.yaml"), config);
  writeFileSync(join(folder, name), text);
  const r = spawnSync(cli, [...args, ...(flag ? ["--config", ".kubeharden.yaml"] : []), name], { cwd: folder, encoding: "utf8" });
  return r;
}

function configuredReport(args, text, config, options) {
  const r = runConfigured(args, text, config, options);
  assert.ok([0, 1].includes(r.status) && r.stdout, `${args.join(" ")}: status ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  delete report.summary.target;
  return report;
}

test("check({config}) is `kubeharden check --config` for the same file, and options win over it as flags do", () => {
  const cases = [
    [{}, []],
    // A flag wins over the file's profile and version.
    [{ profile: "baseline" }, ["--profile", "baseline"]],
    [{ kubeVersion: "1.25", profile: "all" }, ["--kube-version", "1.25", "--profile", "all"]],
    // --rule runs a rule the file turns off, and may name a custom rule.
    [{ rules: ["seccomp-required", "images-from-our-registry"] }, ["--rule", "seccomp-required", "--rule", "images-from-our-registry"]],
  ];
  for (const [options, flags] of cases) {
    for (const flag of [true, false]) {
      const expected = configuredReport(["check", "--format", "json", ...flags], MANIFEST, CONFIG, { name: "app.yaml", flag });
      const report = kh.check(MANIFEST, { ...options, file: "app.yaml", config: CONFIG });
      assert.deepEqual(report, expected, `${JSON.stringify(options)} (${flag ? "--config" : "found"})`);
    }
  }
  const report = kh.check(MANIFEST, { file: "app.yaml", config: CONFIG });
  assert.equal(report.settings.profile, "restricted", "the file's profile");
  assert.equal(report.settings.kube_version, "v1.29", "the file's version");
  assert.ok(report.findings.some((f) => f.rule === "images-from-our-registry" && f.severity === "high"), "the custom rule runs");
  assert.ok(report.findings.some((f) => f.rule === "host-namespaces" && f.severity === "low"), "the severity applies");
  assert.ok(!report.settings.rules.includes("seccomp-required"), "the rule turned off does not run");
  assert.deepEqual(kh.check(MANIFEST, { config: CONFIG, rules: ["seccomp-required"] }).settings.rules, ["seccomp-required"], "named, it runs");
  const privileged = report.findings.find((f) => f.rule === "privileged-container");
  assert.equal(privileged.suppressed, true);
  assert.match(privileged.suppression_reason, /^exempted by \.kubeharden\.yaml:\d+:\d+: the lab's web server/);
  // The exemption's path glob names app*.yaml: the default name is not exempted.
  assert.equal(kh.check(MANIFEST, { config: CONFIG }).findings.find((f) => f.rule === "privileged-container").suppressed, false);
  // JSON is YAML: the same configuration as JSON gives the same report.
  const asJson = JSON.stringify({ rules: { "host-namespaces": "off" } });
  assert.deepEqual(kh.check(MANIFEST, { config: asJson }), configuredReport(["check", "--format", "json"], MANIFEST, asJson));
  assert.deepEqual(kh.check(MANIFEST, { config: "" }), kh.check(MANIFEST), "an empty configuration is every default");
});

test("fix({config}) is `kubeharden fix --config`: exempted findings are never fixed", () => {
  for (const [options, flags] of [[{}, []], [{ unsafe: true }, ["--unsafe"]], [{ unsafe: true, profile: "all" }, ["--unsafe", "--profile", "all"]]]) {
    const r = runConfigured(["fix", ...flags], MANIFEST, CONFIG, { name: "app.yaml" });
    assert.ok([0, 1].includes(r.status) && r.stdout, `fix ${flags}: status ${r.status}: ${r.stderr}`);
    const result = kh.fix(MANIFEST, { ...options, file: "app.yaml", config: CONFIG });
    assert.equal(result.text, r.stdout, JSON.stringify(options));
    const remaining = configuredReport(["check", "--format", "json", ...flags.filter((f) => f !== "--unsafe")], result.text, CONFIG, { name: "app.yaml" });
    assert.deepEqual(result.remaining, remaining, `what remains, as the CLI checks it: ${JSON.stringify(options)}`);
  }
  const result = kh.fix(MANIFEST, { unsafe: true, file: "app.yaml", config: CONFIG });
  assert.match(result.text, /privileged: true/, "the exempted finding is left alone");
  assert.ok(!result.applied.some((a) => a.rule === "privileged-container"));
});

test("errors in config are an OptionError for config, each at its line and column as the CLI prints it", () => {
  const bad = `profile: restricted
rules:
  host-namespace: off
  cpu-limits: {severity: urgent}
exemptions:
  - rule: privileged-container
    objects: [{kind: Pod}]
`;
  const r = runConfigured(["check"], MANIFEST, bad);
  assert.equal(r.status, 2, r.stderr);
  const cliLines = r.stderr.split("\n").filter((l) => /^  \.kubeharden\.yaml:\d+:\d+: /.test(l)).map((l) => l.trim());
  assert.ok(cliLines.length >= 3, r.stderr);
  for (const call of [() => kh.check(MANIFEST, { config: bad }), () => kh.fix(MANIFEST, { config: bad })]) {
    let error;
    assert.throws(call, (e) => (error = e) instanceof kh.OptionError);
    assert.equal(error.option, "config");
    assert.deepEqual(error.errors.map((e) => `.kubeharden.yaml:${e.line}:${e.column}: ${e.message}`), cliLines);
    assert.deepEqual(error.errors[0], { line: 3, column: 3, message: 'unknown rule "host-namespace" (did you mean "host-namespaces"?)' });
    assert.match(error.message, /config: .*\.kubeharden\.yaml:3:3: unknown rule/);
  }
  for (const [config, line] of [["rules: [\n", 1], ["a: 1\n---\nb: 2\n", 2], ["kube-version: 1.30\n", 1]]) {
    assert.throws(() => kh.check(MANIFEST, { config }), (e) => e.option === "config" && e.errors.length >= 1 && e.errors[0].line === line, JSON.stringify(config));
  }
  assert.throws(() => kh.check(MANIFEST, { config: { profile: "all" } }), (e) => e.option === "config" && /must be a string/.test(e.message) && e.errors.length === 0);
  // Other options' errors carry no config errors; a custom id needs its configuration.
  assert.throws(() => kh.check(MANIFEST, { rules: ["images-from-our-registry"] }), (e) => e.option === "rules" && e.errors.length === 0);
  assert.ok(kh.check(MANIFEST).findings.length > 0, "the engine still works");
});

test("rules() is the CLI's catalogue; rule(id) one entry", async () => {
  const expected = JSON.parse(execFileSync(cli, ["rules", "--format", "json"], { encoding: "utf8", maxBuffer: 64 << 20 }));
  // A promise by design (rules.json is loaded when first asked for): see the README.
  assert.ok(kh.rules() instanceof Promise && kh.rule("host-namespaces") instanceof Promise);
  const all = await kh.rules();
  assert.deepEqual(all, expected);
  assert.equal(await kh.rules(), all, "loaded once");
  const doc = await kh.rule("host-namespaces");
  assert.equal(doc.id, "host-namespaces");
  assert.ok(doc.rationale.length > 20, "the documentation text is there");
  assert.equal(await kh.rule("no-such-rule"), undefined);
  await assert.rejects(async () => kh.rule(3), kh.OptionError);
});

test("reports validate against docs/report.schema.json", () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, "docs", "report.schema.json"), "utf8")));
  for (const report of [kh.check(MANIFEST), kh.check("a: [\n"), kh.fix(MANIFEST, { unsafe: true }).remaining]) {
    assert.ok(validate(report), ajv.errorsText(validate.errors));
  }
});

test("init() takes bytes or a compiled module (fresh processes)", () => {
  const wasm = join(pkgDir, "kubeharden_wasm_bg.wasm");
  const url = pathToFileURL(join(pkgDir, "kubeharden.js")).href;
  for (const source of [`readFileSync(${JSON.stringify(wasm)})`, `await WebAssembly.compile(readFileSync(${JSON.stringify(wasm)}))`, `new URL(${JSON.stringify(pathToFileURL(wasm).href)})`]) {
    const script = `import { readFileSync } from "node:fs"; const kh = await import(${JSON.stringify(url)}); await kh.init(${source}); process.stdout.write(String(kh.check("apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec:\\n  containers:\\n  - {name: c, image: nginx, securityContext: {privileged: true}}\\n").findings.some((f) => f.rule === "privileged-container")));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    assert.equal(r.stdout, "true", `init(${source}): ${r.stderr}`);
  }
  const bad = spawnSync(process.execPath, ["--input-type=module", "-e", `const kh = await import(${JSON.stringify(url)}); await kh.init(new Uint8Array([0, 1, 2])).then(() => console.log("loaded"), (e) => console.log("rejected"));`], { encoding: "utf8" });
  assert.equal(bad.stdout.trim(), "rejected", bad.stderr);
  // A valid but empty module, or the other build's wasm, rejects with a message naming the
  // file to give, and leaves nothing half set up: the next init() loads the right one.
  const check = join(pkgDir, "kubeharden_check_bg.wasm");
  const retry = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `import { readFileSync } from "node:fs"; const kh = await import(${JSON.stringify(url)});
const said = [];
for (const wrong of [new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), readFileSync(${JSON.stringify(check)})]) await kh.init(wrong).then(() => said.push("loaded"), (e) => said.push(e.message));
await kh.init();
said.push(kh.canFix() && kh.fix("a: 1\\n").text);
console.log(JSON.stringify(said));`],
    { encoding: "utf8" },
  );
  const said = JSON.parse(retry.stdout || "[]");
  assert.equal(said.length, 3, retry.stderr);
  for (const message of said.slice(0, 2)) assert.match(message, /could not load the engine from the wasm given \(it must be this package's kubeharden_wasm_bg\.wasm\)/);
  assert.equal(said[2], "a: 1\n", "the next init() works");
});

test("initCheck() loads the check-only engine: the CLI's report, no fix() until init() (a fresh process)", () => {
  const url = pathToFileURL(join(pkgDir, "kubeharden.js")).href;
  const script = `const kh = await import(${JSON.stringify(url)});
const out = {};
const manifest = ${JSON.stringify(MANIFEST)};
const options = { profile: "restricted", kubeVersion: "1.29", file: "app.yaml" };
await kh.initCheck();
out.ready = kh.isReady();
out.canFix = kh.canFix();
out.checked = kh.check(manifest, options);
try { kh.fix(manifest); } catch (e) { out.fixError = e.message; }
out.same = kh.initCheck() === kh.initCheck();
await kh.init();
out.afterInit = { canFix: kh.canFix(), initCheckIsInit: kh.initCheck() === kh.init(), checked: kh.check(manifest, options), fixed: kh.fix(manifest, { unsafe: true }).text };
process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ready, true);
  assert.equal(out.canFix, false);
  assert.deepEqual(out.checked, cliReport(["check", "--format", "json", "--profile", "restricted", "--kube-version", "1.29"], MANIFEST, "app.yaml"));
  assert.match(out.fixError, /fix\(\) needs the full engine: await init\(\)/);
  assert.equal(out.same, true, "initCheck() is one shared promise");
  assert.equal(out.afterInit.canFix, true);
  assert.equal(out.afterInit.initCheckIsInit, true, "after init(), initCheck() is init()'s promise");
  assert.deepEqual(out.afterInit.checked, out.checked, "both engines give the same report");
  assert.equal(out.afterInit.fixed, runCli(["fix", "--unsafe"], MANIFEST));
});

test("the TypeScript declarations compile a consumer (tsc --noEmit --strict)", () => {
  const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
  assert.ok(existsSync(tsc), `TypeScript is missing: run \`npm ci\` in ${here}`);
  const r = spawnSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.status, 0, `tsc:\n${r.stdout}${r.stderr}`);
  // The consumer's @ts-expect-error lines must each be an error: without them tsc fails.
  const stripped = readFileSync(join(here, "consumer.ts"), "utf8").replace(/^\s*\/\/ @ts-expect-error.*$/gm, "");
  const probe = join(here, "consumer.probe.ts");
  writeFileSync(probe, stripped);
  try {
    const config = join(here, "tsconfig.probe.json");
    writeFileSync(config, JSON.stringify({ extends: "./tsconfig.json", files: ["consumer.probe.ts"] }));
    const p = spawnSync(process.execPath, [tsc, "-p", config], { encoding: "utf8" });
    rmSync(config);
    assert.notEqual(p.status, 0, "the declarations accept what the engine rejects");
    assert.equal((p.stdout.match(/error TS/g) || []).length, 9, p.stdout);
  } finally {
    rmSync(probe, { force: true });
  }
});

test("real reports, fix results and rule docs type-check against the declarations (tsc)", async () => {
  const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
  assert.ok(existsSync(tsc), `TypeScript is missing: run \`npm ci\` in ${here}`);
  await kh.init();
  // Object literals get excess-property checks: a field the declarations lack fails too.
  const values = {
    Report: [kh.check(MANIFEST), kh.check("a: [\n"), kh.check(MANIFEST, { profile: "restricted", kubeVersion: "1.29" })],
    FixResult: [kh.fix(MANIFEST, { unsafe: true }), kh.fix("a: [\n")],
    RuleDoc: await kh.rules(),
  };
  const source =
    `import type { FixResult, Report, RuleDoc } from "kubeharden";\n` +
    Object.entries(values)
      .map(([type, list]) => `export const ${type.toLowerCase()}s: ${type}[] = ${JSON.stringify(list)};\n`)
      .join("");
  const file = join(here, "values.probe.ts");
  const config = join(here, "tsconfig.values.json");
  writeFileSync(file, source);
  writeFileSync(config, JSON.stringify({ extends: "./tsconfig.json", files: ["values.probe.ts"] }));
  try {
    const r = spawnSync(process.execPath, [tsc, "-p", config], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `the declarations do not describe what the package returns:\n${r.stdout.slice(0, 4000)}${r.stderr}`);
  } finally {
    rmSync(file, { force: true });
    rmSync(config, { force: true });
  }
});

test("the widget module imports where there is no DOM (server-side rendering) and defines nothing", () => {
  const widget = pathToFileURL(join(pkgDir, "..", "kubeharden-widget.js")).href;
  const script = `const m = await import(${JSON.stringify(widget)}); process.stdout.write(typeof m.upgradeCodeBlocks + " " + typeof globalThis.customElements + " " + m.dedent("\\n    a: 1\\n      b: 2\\n  "));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "function undefined a: 1\n  b: 2\n");
});

test("the package is ready to publish: npm pack takes exactly its files, named kubeharden at the crate's version", () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkgDir, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout);
  assert.equal(pack.name, "kubeharden");
  assert.equal(pack.version, kh.version);
  assert.deepEqual(
    pack.files.map((f) => f.path).sort(),
    ["README.md", "kubeharden.d.ts", "kubeharden.js", "kubeharden_check.js", "kubeharden_check_bg.wasm", "kubeharden_wasm.js", "kubeharden_wasm_bg.wasm", "package.json", "rules.json"],
  );
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  for (const target of [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))]) {
    assert.ok(existsSync(join(pkgDir, target)), `package.json names ${target}, which is not in the package`);
  }
});
