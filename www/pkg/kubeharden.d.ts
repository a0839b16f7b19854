// Types of the kubeharden package (kubeharden.js). The report types are the JSON report of
// `kubeharden check --format json`, version 2 (docs/report.schema.json in the repository);
// RuleDoc is `kubeharden rules --format json` (src/docs.rs). tests/js/ compiles a consumer
// against this file with `tsc --noEmit --strict`, and real reports, fix results and the whole
// catalogue as typed object literals (a field missing here, or extra, fails).

/** The engine's version (the kubeharden crate version, as in `Report.tool.version`). */
export declare const version: string;

/** Where the engine's WebAssembly comes from (see init). */
export type WasmSource =
  | string
  | URL
  | Response
  | Promise<Response>
  | BufferSource
  | WebAssembly.Module;

/**
 * Loads the engine once; later calls return the same promise. By default the wasm next to
 * the module (kubeharden_wasm_bg.wasm; read from disk in Node). Rejects when it cannot be
 * loaded (the next call tries again).
 */
export declare function init(wasm?: WasmSource): Promise<void>;

/**
 * Loads the check-only engine once (kubeharden_check_bg.wasm by default: no fixer and no
 * differ, 28 KiB smaller gzipped), for pages that only show findings. check(), rules() and
 * version work after it; fix() throws until init() has finished. Returns init()'s promise
 * when init() has finished, or is loading and the check-only engine was not asked for before
 * (the full engine checks too); once the check-only engine has loaded, its settled promise.
 * Rejects when it cannot be loaded (the next call tries again).
 */
export declare function initCheck(wasm?: WasmSource): Promise<void>;

/** Whether init() or initCheck() has finished: check() may be called. */
export declare function isReady(): boolean;

/** Whether init() has finished: fix() may be called. */
export declare function canFix(): boolean;

export type Profile = "baseline" | "restricted" | "all";
export type Severity = "critical" | "high" | "medium" | "low" | "info";
export type Area = "controls" | "metadata" | "updates";
export type Applicability = "safe" | "unsafe";

/** Options of a check. Every one is optional; an unknown key throws an OptionError. */
export interface CheckOptions {
  /** Which rules run, as `--profile` (default "all"). */
  profile?: Profile;
  /** Target Kubernetes version: "1.NN", "v1.NN" or "latest" (default), as `--kube-version`. A string: 1.30 as a number would be 1.3. */
  kubeVersion?: string;
  /** Only these rule ids (all when absent or empty), as `--rule`; each must run under the profile and version. */
  rules?: string[];
  /** The name the report gives the text (default "manifest.yaml"). */
  file?: string;
  /**
   * The text of a `.kubeharden.yaml` (YAML or JSON; docs/config.md), applied as
   * `kubeharden check --config .kubeharden.yaml` applies the file: rules on or off,
   * severities, parameters, custom rules, exemptions, and its profile and kube-version unless
   * `profile` / `kubeVersion` are given here (they win, as the CLI's flags do). `rules` may
   * name its custom rules. Errors in it throw an OptionError for "config" with `errors`.
   */
  config?: string;
  /**
   * Told how far the check has come, as it runs (a check is synchronous: in a Web Worker,
   * post it to the page): as each stage starts and each time `percent` (0–100, whole, never
   * falling) grows, with the stage under way. What it throws, check() throws when done. It
   * must not return a promise (an async function): check() does not wait, so it throws a
   * TypeError rather than leave the promise's failure unseen.
   */
  onProgress?: (percent: number, stage: Stage) => void;
}

/** The stages of a check, in order: reading the YAML, the per-object rules, the whole-bundle rules, the report. */
export type Stage = "parse" | "rules" | "bundle" | "report";

/** Options of a fix: a check's (without onProgress), and which fixes to make. */
export interface FixOptions extends Omit<CheckOptions, "onProgress"> {
  /** Also apply fixes that may change how a workload behaves, as `--unsafe`. */
  unsafe?: boolean;
  /** Fix only the findings with these ids (Finding.id); all fixable ones when absent. */
  only?: string[];
  /** Never fix the findings with these ids. */
  exclude?: string[];
}

/** One error of a `config` text: 1-based line and column (characters), and what is wrong. */
export interface ConfigError {
  line: number;
  column: number;
  message: string;
}

/** Thrown for a bad option (synchronously by check and fix); `option` names it. */
export declare class OptionError extends TypeError {
  readonly option: string;
  /** For `option === "config"`: every error of the configuration text, in order; else empty. */
  readonly errors: readonly ConfigError[];
  constructor(option: string, message: string, errors?: ConfigError[]);
}

/** A position: 0-based byte offset, 1-based line, 1-based column in characters and in UTF-16 code units, 0-based UTF-16 offset (what JavaScript strings and editors count). */
export interface Position {
  offset: number;
  line: number;
  column: number;
  column_utf16: number;
  offset_utf16: number;
}

export interface Span {
  start: Position;
  end: Position;
}

/** A secondary location explaining a finding. */
export interface Related {
  file: string;
  /** 1-based document number in the file. */
  document: number;
  /** RFC 6901 JSON pointer. */
  path: string;
  message: string;
  span: Span;
}

/** One text edit of a fix (byte span into the text as checked; empty for an insertion). */
export interface Edit {
  file: string;
  span: Span;
  replacement: string;
}

export interface FindingFix {
  applicability: Applicability;
  title: string;
  /** This fix alone: sorted, non-overlapping; empty when `unavailable` says why. */
  edits: Edit[];
  unavailable: string | null;
}

export interface ObjectRef {
  apiVersion: string | null;
  kind: string | null;
  namespace: string | null;
  name: string | null;
}

export interface Finding {
  /** Stable id: rule:file:document:pointer (with ~N on the N-th repetition). */
  id: string;
  rule: string;
  severity: Severity;
  area: Area;
  message: string;
  file: string;
  /** 1-based document number in the file. */
  document: number;
  object: ObjectRef;
  /** RFC 6901 JSON pointer of the field. */
  path: string;
  span: Span;
  related: Related[];
  pss: { level: "baseline" | "restricted"; check: string } | null;
  fix: FindingFix | null;
  suppressed: boolean;
  suppression_reason: string | null;
  /** The chart template the document came from, in `helm template` output (`# Source:`). */
  template?: string;
}

/** A YAML error or a note, at its location. */
export interface Diagnostic {
  file: string;
  document: number;
  message: string;
  span: Span;
}

/** The JSON report, version 2: what `kubeharden check --format json` writes. */
export interface Report {
  version: 2;
  tool: { name: "kubeharden"; version: string };
  /** `rules`: the ids of the rules the run checked (the profile's and version's, narrowed by options). */
  settings: { profile: Profile; kube_version: string; rules: string[] };
  findings: Finding[];
  errors: Diagnostic[];
  notes: Diagnostic[];
  summary: {
    files: number;
    /** Unsuppressed findings. */
    findings: number;
    suppressed: number;
    errors: number;
    fixable: number;
    by_severity: Record<Severity, number>;
  };
}

/** A fix made, or skipped with the reason. */
export interface FixRecord {
  /** The finding's id in the report of the text before the fix. */
  id: string;
  rule: string;
  path: string;
  message: string;
  title: string;
  applicability: Applicability;
  /** Why it was skipped (null for applied fixes). */
  reason: string | null;
}

export interface FixResult {
  /** The hardened text (what `kubeharden fix FILE` prints). */
  text: string;
  /** Unified diff from the input to `text` (`a/FILE`, `b/FILE`); empty when unchanged. */
  diff: string;
  applied: FixRecord[];
  skipped: FixRecord[];
  /** The report of the hardened text (with `rules`, of those rules only). */
  remaining: Report;
}

/** Checks one text: the report (bad YAML is a report with errors). Throws OptionError on bad options, Error before init() or initCheck(). */
export declare function check(text: string, options?: CheckOptions): Report;

/** Hardens one text. Throws OptionError on bad options, Error before init() (initCheck() is not enough). */
export declare function fix(text: string, options?: FixOptions): FixResult;

export interface Fixture {
  path: string;
  text: string;
  kind: "fail" | "fixed" | "unsafe_fixed" | "pass";
}

/** A rule's documentation: `kubeharden rules --format json` (src/docs.rs RuleDoc). */
export interface RuleDoc {
  id: string;
  title: string;
  summary: string;
  severity: Severity;
  area: Area;
  template: string;
  template_summary: string | null;
  params: unknown;
  pss: { level: "baseline" | "restricted"; check: string; since: string; overrides: string | null } | null;
  /** Equivalent checks of other scanners: scanner name to check id. */
  sources: Record<string, string>;
  rationale: string;
  remediation: string;
  references: string[];
  fix: {
    applicability?: Applicability;
    reason?: string;
    guidance?: string;
    heading: string;
    text: string;
    command: string | null;
  } | null;
  /** The annotation key that suppresses the rule. */
  suppression: string;
  example: Fixture | null;
  use_instead: Fixture | null;
}

/**
 * The built-in catalogue, loaded from rules.json next to the module on first use (needs no
 * init()). A promise, not a value: the documentation text is not in the wasm (it would cost
 * every page 20 KiB gzipped) and a page that shows no rule's docs never downloads rules.json
 * (55 KiB gzipped); a synchronous form would need one of the two. Later calls resolve to the
 * same array. A configuration's custom rules are not in it (their docs are in the config).
 */
export declare function rules(): Promise<RuleDoc[]>;

/** One built-in rule's documentation, or undefined for an unknown id (from rules(): a promise). */
export declare function rule(id: string): Promise<RuleDoc | undefined>;
