// A small consumer of the kubeharden package, compiled by tsc --noEmit --strict against
// dist/pkg/kubeharden.d.ts (tsconfig.json maps the name): every export and type is used,
// and the @ts-expect-error lines prove the declarations reject what the engine rejects.
import { OptionError, canFix, check, fix, init, initCheck, isReady, rule, rules, version } from "kubeharden";
import { upgradeCodeBlocks } from "kubeharden-widget";
import type { KubehardenCheckElement } from "kubeharden-widget";
import type { CheckOptions, ConfigError, Finding, FixResult, Report, RuleDoc, Severity, Span, Stage } from "kubeharden";

export async function run(text: string): Promise<number> {
  await initCheck(new URL("./kubeharden_check_bg.wasm", import.meta.url));
  await init();
  await init(new URL("./kubeharden_wasm_bg.wasm", import.meta.url));
  const ready: boolean = isReady() && canFix();
  const options: CheckOptions = { profile: "restricted", kubeVersion: "1.29", rules: ["privileged-container"], file: "app.yaml" };
  const report: Report = check(text, options);
  const first: Finding | undefined = report.findings[0];
  const span: Span | undefined = first?.span;
  const utf16: number = span ? span.end.offset_utf16 - span.start.offset_utf16 : 0;
  const severity: Severity | undefined = first?.severity;
  const worst: number = report.summary.by_severity.critical + report.summary.by_severity.high;
  const fixed: FixResult = fix(text, { unsafe: true, exclude: first ? [first.id] : [] });
  const left: number = fixed.remaining.summary.findings + fixed.applied.length + fixed.skipped.length;
  const reason: string | null = fixed.skipped[0]?.reason ?? null;
  const docs: RuleDoc[] = await rules();
  const one: RuleDoc | undefined = await rule("host-namespaces");
  const refs: string[] = one?.references ?? [];
  const config = "profile: restricted\nrules:\n  cpu-limits: off\n";
  const configured: Report = check(text, { config, profile: "baseline" });
  const configuredFix: FixResult = fix(text, { config, unsafe: true });
  const stages: Stage[] = [];
  check(text, { onProgress: (percent: number, stage: Stage) => void stages.push(stage), file: "app.yaml" });
  try {
    check(text, { profile: (process.env.PROFILE ?? "all") as CheckOptions["profile"], config });
  } catch (e) {
    if (e instanceof OptionError) {
      const errors: readonly ConfigError[] = e.errors;
      for (const { line, column, message } of errors) console.error(`${e.option}:${line}:${column}: ${message}`);
    }
  }
  // @ts-expect-error: not a profile
  check(text, { profile: "strict" });
  // @ts-expect-error: a version is a string ("1.30"), never a number
  check(text, { kubeVersion: 1.3 });
  // @ts-expect-error: `unsafe` is a fix option only
  check(text, { unsafe: true });
  // @ts-expect-error: text is required
  check();
  // @ts-expect-error: a configuration is its text (YAML or JSON), not an object
  check(text, { config: { profile: "all" } });
  // @ts-expect-error: an error's place is read-only information, not an option
  check(text, { errors: [] });
  // @ts-expect-error: onProgress is told by check() only (a fix has no progress)
  fix(text, { onProgress: () => {} });
  const v: string = version;
  return [configured.findings.length, configuredFix.applied.length, stages.length, ready ? 1 : 0, utf16, worst, left, docs.length, refs.length, v.length, reason?.length ?? 0, severity?.length ?? 0].reduce((a, b) => a + b, 0);
}

export async function widget(): Promise<number> {
  const el: KubehardenCheckElement = document.createElement("kubeharden-check");
  el.source = "apiVersion: v1\nkind: Pod\n";
  el.config = "rules:\n  cpu-limits: off\n";
  const inline: string | null = el.config;
  el.config = null;
  // @ts-expect-error: the configuration is text
  el.config = { rules: {} };
  el.addEventListener("kubeharden-result", (e) => console.log(e.detail.summary.findings));
  const report: Report | null = await el.check();
  const made: KubehardenCheckElement[] = upgradeCodeBlocks(document.body);
  // @ts-expect-error: the report is read-only
  el.report = null;
  return (report?.findings.length ?? 0) + made.length + (inline?.length ?? 0);
}

declare const process: { env: Record<string, string | undefined> };
