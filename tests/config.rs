//! The configuration file: loading and its errors (library), the rules it selects,
//! severities, parameters, custom rules (fixtures in tests/config/custom-rules), exemptions
//! and excludes, and at the command line: discovery, precedence (flag > file > default),
//! `config init | show | schema`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use kubeharden::config::Config;
use kubeharden::{Engine, KubeVersion, LineIndex, Options, Profile, Severity, Source};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn parse(text: &str) -> Config {
    Config::parse(".kubeharden.yaml", text).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn errors(text: &str) -> Vec<String> {
    match Config::parse(".kubeharden.yaml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

fn rules_of(engine: &Engine) -> BTreeSet<String> {
    engine.rules().map(|r| r.id.clone()).collect()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx\n    securityContext: {privileged: true}\n";

#[test]
fn an_empty_file_or_no_file_changes_nothing() {
    let builtin = rules_of(&Engine::new(Options::default()));
    for text in ["", "# only a comment\n", "---\n", "~\n"] {
        let config = parse(text);
        assert_eq!(rules_of(&config.engine(Options::default())), builtin);
        assert!(std::ptr::eq(
            &*config.catalogue(),
            kubeharden::Catalogue::builtin()
        ));
    }
}

#[test]
fn the_starter_file_and_every_example_load() {
    let mut files = vec![PathBuf::from(ROOT).join("docs/config-starter.yaml")];
    for dir in ["tests/config/examples", "tests/config/custom-rules"] {
        files.extend(yaml_files(&Path::new(ROOT).join(dir), "config.yaml"));
        files.extend(
            yaml_files(&Path::new(ROOT).join(dir), "")
                .into_iter()
                .filter(|p| p.parent().unwrap().ends_with("examples")),
        );
    }
    files.sort();
    files.dedup();
    assert!(files.len() >= 6, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        if let Err(e) = Config::parse(&f.display().to_string(), &text) {
            panic!("{}: {e:?}", f.display());
        }
    }
    // The starter changes nothing.
    let starter =
        parse(&std::fs::read_to_string(Path::new(ROOT).join("docs/config-starter.yaml")).unwrap());
    assert_eq!(
        rules_of(&starter.engine(Options::default())),
        rules_of(&Engine::new(Options::default()))
    );
}

/// Every `.yaml` below `dir` named `name` (any name when empty).
fn yaml_files(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml")
                && (name.is_empty() || p.file_name().is_some_and(|n| n == name))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn rules_turn_off_and_on_by_id_area_and_level() {
    let all = rules_of(&Engine::new(Options::default()));
    let c = parse("rules:\n  cpu-limits: off\n  image-unpinned: {enabled: false}\n");
    let got = rules_of(&c.engine(Options::default()));
    assert!(!got.contains("cpu-limits") && !got.contains("image-unpinned"));
    assert_eq!(got.len(), all.len() - 2);

    // `on` runs a rule the profile leaves out.
    let restricted = Options {
        profile: Profile::Restricted,
        ..Options::default()
    };
    let c = parse("rules:\n  cpu-limits: on\n  bare-pod: 'on'\n");
    let got = rules_of(&c.engine(restricted));
    assert!(got.contains("cpu-limits") && got.contains("bare-pod"));
    assert!(!rules_of(&Engine::new(restricted)).contains("cpu-limits"));

    // By area: every updates rule off, one back on by its own entry (the rule's entry
    // wins whatever the order).
    let c = parse("rules:\n  image-unpinned: on\n  area:updates: off\n");
    let got = rules_of(&c.engine(Options::default()));
    let catalogue = kubeharden::Catalogue::builtin();
    for r in &catalogue.rules {
        if r.area == kubeharden::Area::Updates && r.id != "image-unpinned" {
            assert!(!got.contains(&r.id), "{}", r.id);
        }
    }
    assert!(got.contains("image-unpinned"));

    // By level: the restricted checks off under the restricted profile leaves baseline.
    let c = parse("rules:\n  pss:restricted: off\n");
    let got = rules_of(&c.engine(restricted));
    let baseline = rules_of(&Engine::new(Options {
        profile: Profile::Baseline,
        ..Options::default()
    }));
    assert_eq!(got, baseline);

    // The version still gates a Pod Security Standards check turned on.
    let old = Options {
        version: KubeVersion::new(22),
        ..Options::default()
    };
    let c = parse("rules:\n  host-probes: on\n");
    assert!(!rules_of(&c.engine(old)).contains("host-probes"));
}

#[test]
fn severities_change_for_findings_and_in_the_catalogue() {
    let c = parse(
        "rules:\n  privileged-container: {severity: low}\n  area:controls: {severity: info}\n",
    );
    let report = c
        .engine(Options::default())
        .check(&[Source::new("p.yaml", POD)]);
    let sev = |id: &str| {
        report
            .findings
            .iter()
            .find(|f| f.rule == id)
            .map(|f| f.severity)
    };
    assert_eq!(sev("privileged-container"), Some(Severity::Low));
    assert_eq!(sev("host-namespaces"), Some(Severity::Info));
    // Updates rules keep theirs.
    assert_eq!(sev("image-unpinned"), Some(Severity::High));
    let d = c.decide(
        kubeharden::Catalogue::builtin()
            .get("privileged-container")
            .unwrap(),
        true,
    );
    assert_eq!(d.severity_by.unwrap().line, 2);
    // The same configuration twice shares one catalogue.
    let again = parse(
        "rules:\n  privileged-container: {severity: low}\n  area:controls: {severity: info}\n",
    );
    assert!(std::sync::Arc::ptr_eq(&c.catalogue(), &again.catalogue()));
}

#[test]
fn params_replace_the_builtin_keys_and_are_validated_by_the_template() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n    securityContext:\n      capabilities: {drop: [ALL], add: [CHOWN]}\n";
    let findings = |c: &Config| {
        c.engine(Options::default())
            .check(&[Source::new("p.yaml", pod)])
            .findings
            .iter()
            .filter(|f| f.rule == "capabilities-restricted")
            .count()
    };
    assert_eq!(findings(&Config::default()), 1);
    let c = parse(
        "rules:\n  capabilities-restricted: {params: {allowed_add: [NET_BIND_SERVICE, CHOWN]}}\n",
    );
    assert_eq!(findings(&c), 0);
    // The other parameter keeps its built-in value.
    let catalogue = c.catalogue();
    let rule = catalogue.get("capabilities-restricted").unwrap();
    assert_eq!(rule.params["windows_exempt_since"], "1.25");
}

#[test]
fn errors_name_the_line_column_and_what_was_expected() {
    let cases: &[(&str, &str)] = &[
        ("profile: strict\n", ".kubeharden.yaml:1:10: unknown profile \"strict\": expected baseline, restricted or all"),
        ("kube-version: 1.30\n", ".kubeharden.yaml:1:15: expected a Kubernetes version as text: write \"1.30\" in quotes (YAML reads 1.30 as a number)"),
        ("kube-version: \"1.99\"\n", ".kubeharden.yaml:1:15: v1.99 is newer than the newest Kubernetes version this kubeharden knows (v1.37); use latest or an older version"),
        ("rules:\n  cpu-limit: off\n", ".kubeharden.yaml:2:3: unknown rule \"cpu-limit\" (did you mean \"cpu-limits\"?)"),
        ("rules:\n  cpu-limits: maybe\n", ".kubeharden.yaml:2:15: expected off, on or a mapping with enabled, severity or params, found \"maybe\""),
        ("rules:\n  cpu-limits: {enabeld: false}\n", ".kubeharden.yaml:2:16: unknown key \"enabeld\" in a rule setting (did you mean \"enabled\"?): expected enabled, severity or params"),
        ("rules:\n  cpu-limits: {severity: urgent}\n", ".kubeharden.yaml:2:26: unknown severity \"urgent\": expected critical, high, medium, low or info"),
        ("rules:\n  area:update: off\n", ".kubeharden.yaml:2:3: unknown area \"update\": expected controls, metadata or updates"),
        ("rules:\n  pss:privileged: off\n", ".kubeharden.yaml:2:3: unknown PSS level \"privileged\": expected baseline or restricted"),
        ("rules:\n  area:updates: {params: {}}\n", ".kubeharden.yaml:2:18: `params` belong to one rule, not to every rule of area:updates"),
        ("rules:\n  capabilities-restricted:\n    params:\n      allowed_ad: [CHOWN]\n", ".kubeharden.yaml:4:7: params.allowed_ad: unknown field `allowed_ad`, expected `allowed_add` or `windows_exempt_since` (the parameters of template pss-capabilities-restricted, type CapabilitiesRestrictedParams)"),
        ("rules:\n  capabilities-restricted:\n    params:\n      allowed_add: CHOWN\n", ".kubeharden.yaml:4:20: params.allowed_add: invalid type: string \"CHOWN\", expected a sequence"),
        ("rules:\n  privileged-container: {params: {x: 1}}\n", ".kubeharden.yaml:2:35: params.rule \"privileged-container\" (template pss-privileged) takes no parameters"),
        ("exemptions:\n  - rule: host-namespaces\n    objects: [{kind: DaemonSet}]\n", ".kubeharden.yaml:2:5: an exemption needs `reason`: say why these findings are acceptable"),
        ("exemptions:\n  - rule: host-namespaces\n    objects: [{kind: DaemonSet}]\n    reason: \"  \"\n", ".kubeharden.yaml:4:13: expected a reason (text): say why these findings are acceptable; found \"  \""),
        ("exemptions:\n  - rule: host-namespaces\n    reason: why\n", ".kubeharden.yaml:2:5: an exemption needs at least one pattern in `objects` or `paths`: to exempt every object, turn the rule off under `rules:`"),
        ("exemptions:\n  - rule: host-namespace\n    paths: [a]\n    reason: why\n", ".kubeharden.yaml:2:11: unknown rule \"host-namespace\" (did you mean \"host-namespaces\"?)"),
        ("exemptions:\n  - rule: host-namespaces\n    objects: [{knd: Pod}]\n    reason: why\n", ".kubeharden.yaml:3:16: unknown key \"knd\" in an object pattern (did you mean \"kind\"?): expected kind, namespace or name"),
        ("exclude: [\"charts/[ab/**\"]\n", ".kubeharden.yaml:1:11: the glob \"charts/[ab/**\" leaves a `[` open (write \\[ for the character)"),
        ("exemptions:\n  - {rule: host-namespaces, objects: [{name: \"cni-{a,b\"}], reason: r}\n", ".kubeharden.yaml:2:46: the glob \"cni-{a,b\" leaves a `{` open"),
        ("exclude: charts\n", ".kubeharden.yaml:1:10: expected `exclude` to be a list of path globs, found \"charts\""),
        ("profil: all\n", ".kubeharden.yaml:1:1: unknown key \"profil\" (did you mean \"profile\"?): expected profile, kube-version, severity-threshold, rules, custom-rules, exemptions or exclude"),
        ("profile: all\nprofile: baseline\n", ".kubeharden.yaml:2:1: key \"profile\" appears twice (first at line 1)"),
        ("rules: [cpu-limits]\n", ".kubeharden.yaml:1:8: expected `rules` to be a mapping of rule id (or area:NAME, pss:LEVEL) to off, on or {enabled, severity, params}, found a list"),
        ("profile: [all\n", ".kubeharden.yaml:1:10: YAML error: unclosed bracket"),
        ("- profile\n", ".kubeharden.yaml:1:1: expected a mapping with the keys profile"),
    ];
    for (text, want) in cases {
        let got = errors(text);
        assert!(
            got.iter().any(|g| g.starts_with(want)),
            "{text:?}\n  want: {want}\n  got:  {got:#?}"
        );
    }
    // Every problem of a file at once.
    let many = errors("profile: x\nrules:\n  nope: off\nexclude: 1\n");
    assert_eq!(many.len(), 3, "{many:#?}");
}

#[test]
fn custom_rule_errors_are_located_in_the_rule() {
    let rule = |extra: &str| {
        format!("custom-rules:\n  - id: my-rule\n    title: T\n    severity: high\n    area: controls\n{extra}    fix: {{guidance: do it}}\n    rationale: R\n    remediation: M\n    references: [https://example.com/]\n")
    };
    let cases: &[(&str, &str)] = &[
        ("    template: image-registy\n    params: {allowed: [r.example.com]}\n", ":6:15: template: unknown template \"image-registy\", expected one of"),
        ("    template: image-registry\n    params: {allowd: [r.example.com]}\n", ":7:14: params.allowd: unknown field `allowd`, expected `allowed`"),
        ("    template: image-registry\n    params: {allowed: []}\n", ":7:23: params.allowed: expected at least one registry"),
        ("    template: image-registry\n    params: {allowed: [\"https://r.example.com\"]}\n", ":7:24: params.allowed[0]: \"https://r.example.com\" is not a registry host"),
        ("    template: image-registry\n    params: {allowed: [r]}\n    pss: {level: baseline, check: x, since: \"1.0\"}\n", ":8:5: a custom rule cannot be a Pod Security Standards check"),
        ("    template: image-registry\n    params: {allowed: [r]}\n    colour: red\n", ":8:5: colour: unknown field `colour`"),
    ];
    for (extra, want) in cases {
        let got = errors(&rule(extra));
        assert!(
            got.iter().any(|g| g.contains(want)),
            "{extra}\n  want: {want}\n  got:  {got:#?}"
        );
    }
    let hint = errors(&rule(
        "    template: image-registy\n    params: {allowed: [r]}\n",
    ));
    assert!(
        hint[0].ends_with("(did you mean \"image-registry\"?)"),
        "{hint:?}"
    );
    // A built-in id, and an id given twice.
    let builtin = errors("custom-rules:\n  - {id: cpu-limits, title: T, severity: low, area: controls, template: image-registry, params: {allowed: [r]}, fix: {guidance: g}, rationale: R, remediation: M, references: [\"https://e.com/\"]}\n");
    assert!(
        builtin[0].starts_with(".kubeharden.yaml:2:10: rule id \"cpu-limits\" is a built-in rule"),
        "{builtin:?}"
    );
    let one = "  - {id: mine, title: T, severity: low, area: controls, template: image-registry, params: {allowed: [r]}, fix: {guidance: g}, rationale: R, remediation: M, references: [\"https://e.com/\"]}\n";
    let twice = errors(&format!("custom-rules:\n{one}{one}"));
    assert!(
        twice[0].starts_with(
            ".kubeharden.yaml:3:10: rule id \"mine\" is defined twice (first at line 2)"
        ),
        "{twice:?}"
    );
    // `rules:` and exemptions may name a custom rule; params go in the rule itself.
    let ok = parse(&format!("rules:\n  mine: {{severity: critical}}\nexemptions:\n  - {{rule: mine, paths: [x], reason: vendored}}\ncustom-rules:\n{one}"));
    assert_eq!(
        ok.catalogue().get("mine").unwrap().severity,
        Severity::Critical
    );
    let e = errors(&format!(
        "rules:\n  mine: {{params: {{}}}}\ncustom-rules:\n{one}"
    ));
    assert!(
        e[0].contains("is a custom rule: give its params in its `custom-rules` entry"),
        "{e:?}"
    );
}

/// Lines of the text marked `# <- expect`.
fn expected_lines(text: &str) -> BTreeSet<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_end().ends_with("# <- expect"))
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn custom_rule_fixtures() {
    let dir = Path::new(ROOT).join("tests/config/custom-rules");
    let mut checked = 0;
    for rule_dir in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
        let id = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        let config_text = std::fs::read_to_string(rule_dir.join("config.yaml")).unwrap();
        let config = Config::parse("config.yaml", &config_text).unwrap();
        assert!(config.custom_rules.iter().any(|(r, _)| r.id == id), "{id}");
        let engine = config.engine(Options::default());
        for f in yaml_files(&rule_dir, "") {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name == "config.yaml" {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            assert!(
                text.starts_with('#'),
                "{}: a header comment states the behaviour",
                f.display()
            );
            let report = engine.check(&[Source::new(&name, &text)]);
            let lines = LineIndex::new(&text);
            let got: BTreeSet<usize> = report
                .findings
                .iter()
                .filter(|x| x.rule == id)
                .map(|x| lines.position(&text, x.span.start).line)
                .collect();
            let want = expected_lines(&text);
            if name.starts_with("pass-") {
                assert!(want.is_empty(), "{}", f.display());
            } else {
                assert!(
                    name.starts_with("fail-") && !want.is_empty(),
                    "{}",
                    f.display()
                );
            }
            assert_eq!(got, want, "{id}/{name}");
            checked += 1;
        }
    }
    assert!(checked >= 6);
}

#[test]
fn exemptions_suppress_matching_findings_with_their_reason() {
    let c = parse(
        "exemptions:\n  - rule: host-namespaces\n    objects: [{kind: Pod, namespace: team, name: \"p*\"}]\n    reason: the agent reads the node network\n  - rule: privileged-container\n    paths: [\"deploy/**\"]\n    reason: vendored\n  - rule: image-unpinned\n    objects: [{namespace: other}]\n    reason: never matches\n",
    );
    let report = c.engine(Options::default()).check(&[
        Source::new("deploy/a/p.yaml", POD),
        Source::new("p.yaml", POD),
    ]);
    let suppressed = |file: usize, id: &str| {
        report
            .findings
            .iter()
            .find(|f| f.file as usize == file && f.rule == id)
            .and_then(|f| f.suppressed.as_ref().map(|s| s.to_string()))
    };
    assert_eq!(
        suppressed(0, "host-namespaces").as_deref(),
        Some("exempted by .kubeharden.yaml:2:5: the agent reads the node network")
    );
    assert!(suppressed(1, "host-namespaces").is_some());
    assert_eq!(
        suppressed(0, "privileged-container").as_deref(),
        Some("exempted by .kubeharden.yaml:5:5: vendored")
    );
    assert_eq!(suppressed(1, "privileged-container"), None);
    assert_eq!(suppressed(0, "image-unpinned"), None);
    // A suppressed finding does not fail a run.
    assert!(report
        .failing(Severity::Info)
        .all(|f| f.rule != "host-namespaces"));
    // Counting, without the engine's own pass.
    let mut plain = Engine::new(Options::default()).check(&[Source::new("deploy/p.yaml", POD)]);
    assert_eq!(c.exempt(&mut plain), [1, 1, 0]);
}

#[test]
fn paths_are_relative_to_the_config_files_directory() {
    let mut c = parse("exclude: [\"charts/*/tests/**\", examples]\n");
    c.locate("sub", "/repo");
    assert_eq!(c.relative_path("a.yaml"), "sub/a.yaml");
    assert_eq!(c.relative_path("./b/a.yaml"), "sub/b/a.yaml");
    assert_eq!(c.relative_path("/repo/x/a.yaml"), "x/a.yaml");
    assert_eq!(c.relative_path("/elsewhere/a.yaml"), "/elsewhere/a.yaml");
    c.locate("", "/repo");
    assert!(c.excluded("charts/web/tests/t.yaml"));
    assert!(c.excluded("charts/web/tests/deep/t.yaml"));
    assert!(!c.excluded("charts/web/templates/t.yaml"));
    // A folder named by a glob excludes what is in it.
    assert!(c.excluded("examples/a/b.yaml"));
    assert!(!c.excluded("examples.yaml"));
}

// The command line.

fn run(dir: &Path, args: &[&str], stdin: &str) -> Output {
    common::run_cli(dir, args, stdin)
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// A scratch directory of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("config-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rules_in(o: &Output) -> BTreeSet<String> {
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", text(&o.stdout), text(&o.stderr)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_cli_finds_the_file_from_the_working_directory_up() {
    let dir = scratch("discovery");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "rules:\n  image-unpinned: off\n",
    )
    .unwrap();
    std::fs::write(dir.join("a/b/pod.yaml"), POD).unwrap();
    let found = run(
        &dir.join("a/b"),
        &["check", "--format", "json", "pod.yaml"],
        "",
    );
    assert!(!rules_in(&found).contains("image-unpinned"));
    assert!(rules_in(&found).contains("privileged-container"));
    // --no-config ignores it; --config names another.
    let none = run(
        &dir.join("a/b"),
        &["check", "--no-config", "--format", "json", "pod.yaml"],
        "",
    );
    assert!(rules_in(&none).contains("image-unpinned"));
    std::fs::write(
        dir.join("a/other.yaml"),
        "rules:\n  privileged-container: off\n",
    )
    .unwrap();
    let other = run(
        &dir.join("a/b"),
        &[
            "check",
            "--config",
            "../other.yaml",
            "--format",
            "json",
            "pod.yaml",
        ],
        "",
    );
    let got = rules_in(&other);
    assert!(got.contains("image-unpinned") && !got.contains("privileged-container"));
    // The nearest file wins.
    std::fs::write(
        dir.join("a/.kubeharden.yaml"),
        "rules:\n  host-namespaces: off\n",
    )
    .unwrap();
    let nearest = rules_in(&run(
        &dir.join("a/b"),
        &["check", "--format", "json", "pod.yaml"],
        "",
    ));
    assert!(nearest.contains("image-unpinned") && !nearest.contains("host-namespaces"));
    // A broken file is a usage error naming the file, line and column.
    std::fs::write(
        dir.join("a/.kubeharden.yaml"),
        "rules:\n  host-namespace: off\n",
    )
    .unwrap();
    let broken = run(&dir.join("a/b"), &["check", "pod.yaml"], "");
    assert_eq!(broken.status.code(), Some(2));
    let err = text(&broken.stderr);
    assert!(err.contains("../.kubeharden.yaml:2:3: unknown rule \"host-namespace\" (did you mean \"host-namespaces\"?)") || err.contains("a/.kubeharden.yaml:2:3: unknown rule"), "{err}");
    // --config with a missing file.
    let missing = run(
        &dir,
        &["check", "--config", "nope.yaml", "a/b/pod.yaml"],
        "",
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("cannot read the configuration file nope.yaml"));
}

#[test]
fn flags_win_over_the_file_and_the_file_over_defaults() {
    let dir = scratch("precedence");
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "profile: baseline\nkube-version: \"1.24\"\nseverity-threshold: critical\n",
    )
    .unwrap();
    let medium = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: nginx:1\n";
    // File: baseline, so no restricted check; threshold critical, so exit 0 on high.
    let o = run(&dir, &["check", "--format", "json", "-"], medium);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["settings"]["profile"], "baseline", "{r}");
    assert_eq!(r["settings"]["kube_version"], "v1.24", "{r}");
    assert!(!rules_in(&o).contains("run-as-non-root"));
    assert_eq!(o.status.code(), Some(0));
    // Flags win.
    let o = run(
        &dir,
        &[
            "check",
            "--profile",
            "restricted",
            "--kube-version",
            "1.30",
            "--severity-threshold",
            "high",
            "--format",
            "json",
            "-",
        ],
        medium,
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["settings"]["profile"], "restricted");
    assert_eq!(r["settings"]["kube_version"], "v1.30");
    assert!(rules_in(&o).contains("run-as-non-root"));
    assert_eq!(o.status.code(), Some(1));
    // Without the file: the defaults.
    let o = run(
        &dir,
        &["check", "--no-config", "--format", "json", "-"],
        medium,
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["settings"]["profile"], "all");
    assert_eq!(r["settings"]["kube_version"], "v1.37");
    // `config show` says where each value comes from.
    let show = text(&run(&dir, &["config", "show", "--kube-version", "1.30"], "").stdout);
    let line = |key: &str| {
        show.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        line("profile: baseline").ends_with("# .kubeharden.yaml:1:10"),
        "{show}"
    );
    assert!(
        line("kube-version: \"v1.30\"").ends_with("# flag --kube-version"),
        "{show}"
    );
    assert!(
        line("severity-threshold: critical").ends_with("# .kubeharden.yaml:3:21"),
        "{show}"
    );
    assert!(
        show.contains("  run-as-non-root: {enabled: false, severity: medium}"),
        "{show}"
    );
    assert!(show.contains("# off by profile baseline"), "{show}");
}

#[test]
fn a_flag_rule_runs_even_when_the_file_turns_it_off() {
    let dir = scratch("rule-flag");
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "rules:\n  privileged-container: off\n",
    )
    .unwrap();
    let o = run(
        &dir,
        &[
            "check",
            "--rule",
            "privileged-container",
            "--format",
            "json",
            "-",
        ],
        POD,
    );
    assert_eq!(
        rules_in(&o),
        BTreeSet::from(["privileged-container".to_string()])
    );
}

#[test]
fn check_rule_accepts_a_custom_rule_of_the_file_and_suggests_over_both() {
    let dir = scratch("rule-custom");
    let config = std::fs::read_to_string(
        Path::new(ROOT).join("tests/config/custom-rules/images-from-our-registry/config.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join(".kubeharden.yaml"), &config).unwrap();
    let pod = POD.replace("image: nginx", "image: quay.io/team/app:1.0");
    let only = |rule: &str| {
        run(
            &dir,
            &["check", "--rule", rule, "--format", "json", "-"],
            &pod,
        )
    };
    // quay.io is not one of the allowed registries.
    let o = only("images-from-our-registry");
    assert_eq!(
        rules_in(&o),
        BTreeSet::from(["images-from-our-registry".to_string()]),
        "{}",
        text(&o.stderr)
    );
    // A typo is refused after the file is read, with the nearest id: custom ...
    let o = only("images-from-our-registri");
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("unknown rule \"images-from-our-registri\"")
            && err.contains("a similar value exists: 'images-from-our-registry'"),
        "{err}"
    );
    // ... or built-in, as before.
    let err = text(&only("privileged-containr").stderr);
    assert!(
        err.contains("a similar value exists: 'privileged-container'"),
        "{err}"
    );
    // Without the file the custom id is unknown.
    let o = run(
        &dir,
        &[
            "check",
            "--no-config",
            "--rule",
            "images-from-our-registry",
            "-",
        ],
        &pod,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("unknown rule \"images-from-our-registry\""));
}

#[test]
fn exclude_and_exemptions_apply_to_check_and_fix() {
    let dir = scratch("exclude");
    std::fs::create_dir_all(dir.join("charts/web/tests")).unwrap();
    std::fs::create_dir_all(dir.join("deploy")).unwrap();
    std::fs::write(dir.join("charts/web/tests/t.yaml"), POD).unwrap();
    std::fs::write(dir.join("deploy/p.yaml"), POD).unwrap();
    std::fs::write(
        dir.join(".kubeharden.yaml"),
        "exclude: [\"charts/*/tests/**\"]\nexemptions:\n  - rule: privileged-container\n    paths: [deploy/p.yaml]\n    reason: the node agent needs it\n",
    )
    .unwrap();
    let o = run(&dir, &["check", "--format", "json", "."], "");
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files: BTreeSet<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, BTreeSet::from(["deploy/p.yaml"]), "{r}");
    let privileged = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "privileged-container")
        .unwrap();
    assert_eq!(
        privileged["suppression_reason"],
        "exempted by .kubeharden.yaml:3:5: the node agent needs it"
    );
    // Named explicitly, an excluded file is still left out (pre-commit names files).
    let o = run(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "charts/web/tests/t.yaml",
            "deploy/p.yaml",
        ],
        "",
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["file"] == "deploy/p.yaml"));
    // fix does not fix an exempted finding.
    let fixed = run(&dir, &["fix", "--unsafe", "deploy/p.yaml"], "");
    let out = text(&fixed.stdout);
    assert!(out.contains("privileged: true"), "{out}");
    assert!(out.contains("runAsNonRoot: true"), "{out}");
}

#[test]
fn config_init_writes_a_file_that_loads_and_refuses_to_overwrite() {
    let dir = scratch("init");
    let o = run(&dir, &["config", "init"], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let written = std::fs::read_to_string(dir.join(".kubeharden.yaml")).unwrap();
    assert!(written.starts_with("# yaml-language-server: $schema="));
    parse(&written);
    let again = run(&dir, &["config", "init"], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("exists: give --force"));
    assert_eq!(
        run(&dir, &["config", "init", "--force"], "").status.code(),
        Some(0)
    );
    assert_eq!(
        text(&run(&dir, &["config", "init", "-"], "").stdout),
        written
    );
    // The file it writes checks like no file.
    std::fs::write(dir.join("p.yaml"), POD).unwrap();
    let with = rules_in(&run(&dir, &["check", "--format", "json", "p.yaml"], ""));
    let without = rules_in(&run(
        &dir,
        &["check", "--no-config", "--format", "json", "p.yaml"],
        "",
    ));
    assert_eq!(with, without);
}

#[test]
fn the_schema_in_docs_is_the_one_this_build_makes() {
    let o = run(Path::new(ROOT), &["config", "schema"], "");
    let made = text(&o.stdout);
    let docs = std::fs::read_to_string(Path::new(ROOT).join("docs/config.schema.json")).unwrap();
    assert!(
        made == docs,
        "docs/config.schema.json is stale: run `cargo run -q -- config schema > docs/config.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&made).unwrap();
    // The top-level keys are the loader's.
    let keys: BTreeSet<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, kubeharden::config::KEYS.iter().copied().collect());
    assert!(schema["properties"]["rules"]["properties"]["cpu-limits"].is_object());
}

/// An exemption whose pattern lists are empty would exempt every object; a kind that
/// misspells a built-in kind (kinds are matched exactly) would exempt nothing. Both are
/// errors at their place; a custom resource's kind is not.
#[test]
fn empty_exemption_patterns_and_misspelt_kinds_are_errors() {
    let e =
        errors("exemptions:\n  - rule: host-namespaces\n    objects: []\n    reason: the CNI\n");
    assert!(
        e.iter()
            .any(|e| e.contains(":2:5:") && e.contains("at least one pattern")),
        "{e:?}"
    );
    let e = errors("exemptions:\n  - rule: host-namespaces\n    objects: [{kind: Deploymnet}, {kind: daemonset}, {kind: Prometheus}, {kind: 'Cron*'}]\n    reason: the CNI\n");
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].contains(":3:22:") && e[0].contains("did you mean \"Deployment\""),
        "{e:?}"
    );
    assert!(e[1].contains("did you mean \"DaemonSet\""), "{e:?}");
}
