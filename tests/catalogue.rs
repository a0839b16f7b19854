//! The catalogue is data: check that every rule is complete, names a real template,
//! and that the Pod Security Standards are covered exactly.

use kubeharden::catalogue::SOURCES;
use kubeharden::{rules, Catalogue, Level};

#[test]
fn every_rule_is_complete_and_names_a_known_template() {
    let catalogue = Catalogue::builtin();
    assert!(catalogue.rules.len() >= 29);
    for rule in &catalogue.rules {
        assert!(
            rules::template(&rule.template).is_some(),
            "{}: unknown template {}",
            rule.id,
            rule.template
        );
        assert!(
            !rule.title.is_empty() && !rule.rationale.is_empty() && !rule.remediation.is_empty(),
            "{}",
            rule.id
        );
        assert!(
            rule.references.iter().all(|r| r.starts_with("https://")),
            "{}: references must be https URLs",
            rule.id
        );
        assert!(
            rule.sources
                .iter()
                .all(|(s, _)| SOURCES.contains(&s.as_str())),
            "{}",
            rule.id
        );
    }
}

#[test]
fn all_nineteen_pss_checks_are_mapped_once_with_their_first_version() {
    let expected: &[(&str, Level, u32)] = &[
        ("privileged", Level::Baseline, 0),
        ("hostNamespaces", Level::Baseline, 0),
        ("hostPorts", Level::Baseline, 0),
        ("hostPathVolumes", Level::Baseline, 0),
        ("capabilities_baseline", Level::Baseline, 0),
        ("appArmorProfile", Level::Baseline, 0),
        ("seLinuxOptions", Level::Baseline, 0),
        ("procMount", Level::Baseline, 0),
        ("seccompProfile_baseline", Level::Baseline, 0),
        ("sysctls", Level::Baseline, 0),
        ("windowsHostProcess", Level::Baseline, 0),
        ("hostProbesAndHostLifecycle", Level::Baseline, 34),
        ("restrictedVolumes", Level::Restricted, 0),
        ("allowPrivilegeEscalation", Level::Restricted, 8),
        ("runAsNonRoot", Level::Restricted, 0),
        ("runAsUser", Level::Restricted, 23),
        ("seccompProfile_restricted", Level::Restricted, 19),
        ("capabilities_restricted", Level::Restricted, 22),
        ("procMount_restricted", Level::Restricted, 35),
    ];
    let catalogue = Catalogue::builtin();
    for (check, level, minor) in expected {
        let mapped: Vec<_> = catalogue
            .rules
            .iter()
            .filter(|r| r.pss.as_ref().is_some_and(|p| p.check == *check))
            .collect();
        assert_eq!(
            mapped.len(),
            1,
            "PSS check {check} must be mapped by exactly one rule"
        );
        let pss = mapped[0].pss.as_ref().unwrap();
        assert_eq!((pss.level, pss.since.minor), (*level, *minor), "{check}");
    }
    let total = catalogue.rules.iter().filter(|r| r.pss.is_some()).count();
    assert_eq!(total, expected.len());
    // Overrides name a baseline check and belong to restricted rules.
    for rule in &catalogue.rules {
        if let Some(o) = rule.pss.as_ref().and_then(|p| p.overrides.as_ref()) {
            assert_eq!(
                rule.pss.as_ref().unwrap().level,
                Level::Restricted,
                "{}",
                rule.id
            );
            assert!(
                expected
                    .iter()
                    .any(|(c, l, _)| c == o && *l == Level::Baseline),
                "{}: overrides unknown {o}",
                rule.id
            );
        }
    }
}

#[test]
fn incomplete_rule_files_are_refused_with_the_missing_field() {
    let good = "id: x\ntitle: T\nseverity: low\narea: controls\ntemplate: pss-privileged\nsources: {}\nrationale: r\nremediation: m\nreferences: [https://example.org]\nfix: {guidance: g}\n";
    assert!(Catalogue::load(&[("x.yaml", good)]).is_ok());
    for (field, expect) in [
        ("rationale", "rationale"),
        ("sources", "sources"),
        ("references", "references"),
        ("severity", "severity"),
    ] {
        let text: String = good
            .lines()
            .filter(|l| !l.starts_with(field))
            .map(|l| format!("{l}\n"))
            .collect();
        let err = Catalogue::load(&[("x.yaml", &text)])
            .unwrap_err()
            .join("\n");
        assert!(err.contains(expect), "removing {field}: {err}");
    }
    let err = Catalogue::load(&[("y.yaml", good)]).unwrap_err().join("\n");
    assert!(err.contains("file name"), "{err}");
    let bad_severity = good.replace("severity: low", "severity: urgent");
    assert!(Catalogue::load(&[("x.yaml", &bad_severity)]).unwrap_err()[0].contains("urgent"));
}

/// A complete rule file `x.yaml` using `template`, with `extra` lines appended (a
/// `params:` block, a `pss:` block, a stray key).
fn rule_file(template: &str, extra: &str) -> String {
    format!(
        "id: x\ntitle: T\nseverity: low\narea: controls\ntemplate: {template}\nsources: {{}}\nrationale: r\nremediation: m\nreferences: [https://example.org]\nfix: {{guidance: g}}\n{extra}"
    )
}

/// The load errors of `x.yaml`, one string.
fn load_errors(text: &str) -> String {
    match Catalogue::load(&[("x.yaml", text)]) {
        Ok(_) => panic!("loaded, but should not:\n{text}"),
        Err(errors) => errors.join("\n"),
    }
}

#[test]
fn a_misspelt_parameter_is_refused_with_file_line_and_field() {
    let text = rule_file(
        "resource-limit",
        "params:\n  resource: cpu\n  pod_level_sinc: \"1.34\"\n",
    );
    let err = load_errors(&text);
    // Line 13, column 3: the misspelt key itself.
    assert!(
        err.starts_with("policies/x.yaml:13:3: params.pod_level_sinc: unknown field `pod_level_sinc`, expected `resource` or `pod_level_since`"),
        "{err}"
    );
}

#[test]
fn an_unknown_template_is_refused_naming_the_field() {
    let err = load_errors(&rule_file("pss-privilegd", ""));
    assert!(
        err.starts_with("policies/x.yaml:5:11: template: unknown template \"pss-privilegd\", expected one of pss-privileged,"),
        "{err}"
    );
}

#[test]
fn malformed_versions_are_refused_in_params_and_pss() {
    let err = load_errors(&rule_file(
        "pss-allow-privilege-escalation",
        "params:\n  windows_exempt_since: \"2.25\"\n",
    ));
    assert!(
        err.contains("policies/x.yaml:12:25: params.windows_exempt_since: invalid Kubernetes version \"2.25\""),
        "{err}"
    );
    // Unquoted, YAML reads 1.30 as the number 1.3: refused, not read as v1.3.
    let err = load_errors(&rule_file(
        "pss-privileged",
        "pss: {level: baseline, check: privileged, since: 1.30}\n",
    ));
    assert!(
        err.contains(
            "pss.since: invalid type: floating point `1.3`, expected a quoted Kubernetes version"
        ),
        "{err}"
    );
    // A version-gated list must grow with the version.
    let err = load_errors(&rule_file(
        "pss-sysctls",
        "params:\n  allowed:\n    - {since: \"1.29\", values: [a]}\n    - {since: \"1.27\", values: [b]}\n",
    ));
    assert!(
        err.contains("params.allowed: entries must be in ascending order of `since`: entry 1 (v1.27) follows v1.29"),
        "{err}"
    );
}

#[test]
fn a_parameter_of_the_wrong_type_is_refused() {
    let err = load_errors(&rule_file(
        "pss-capabilities-baseline",
        "params:\n  allowed: NET_BIND_SERVICE\n",
    ));
    assert!(
        err.contains("policies/x.yaml:12:12: params.allowed: invalid type: string \"NET_BIND_SERVICE\", expected a sequence"),
        "{err}"
    );
    let err = load_errors(&rule_file(
        "container-setting",
        "params:\n  field: readOnlyRootFilesystem\n  expected: \"yes\"\n",
    ));
    assert!(
        err.contains("params.expected: invalid type: string \"yes\", expected a boolean"),
        "{err}"
    );
    // Within a list, the item is named.
    let err = load_errors(&rule_file(
        "host-path",
        "params:\n  paths: [{path: /etc, holds: h, source: s}, {path: 7}]\n",
    ));
    assert!(
        err.contains(
            "policies/x.yaml:12:53: params.paths[1].path: invalid type: integer `7`, expected a string"
        ),
        "{err}"
    );
    // Checks beyond the type, at load: a relative host path.
    let err = load_errors(&rule_file(
        "host-path",
        "params:\n  paths: [{path: /etc, holds: h, source: s}, {path: var/run, holds: h, source: s}]\n",
    ));
    assert!(
        err.contains("params.paths[1].path: \"var/run\" is not an absolute path"),
        "{err}"
    );
    // A catalogue path with `..` is refused, and `names` need `what` for their message.
    let err = load_errors(&rule_file(
        "host-path",
        "params:\n  paths: [{path: /var/lib/../run, holds: h, source: s}]\n",
    ));
    assert!(
        err.contains("params.paths[0].path: \"/var/lib/../run\" has a `..` segment"),
        "{err}"
    );
    let err = load_errors(&rule_file(
        "host-path",
        "params:\n  paths: [{path: /run, holds: h, source: s}]\n  names: [docker.sock]\n",
    ));
    assert!(
        err.contains("params.what: is required with `names` or `types`"),
        "{err}"
    );
    // An enumerated parameter lists what it accepts.
    let err = load_errors(&rule_file("resource-limit", "params: {resource: gpu}\n"));
    assert!(
        err.contains("params.resource: unknown variant `gpu`, expected `cpu` or `memory`"),
        "{err}"
    );
}

#[test]
fn missing_parameters_and_parameters_of_templates_without_any_are_refused() {
    // Never a silently empty list: a required list must be written.
    let err = load_errors(&rule_file("pss-capabilities-baseline", ""));
    assert!(err.contains("params: missing field `allowed`"), "{err}");
    let err = load_errors(&rule_file("pss-privileged", "params: {allowed: [X]}\n"));
    assert!(
        err.contains("params.allowed: unknown field `allowed`, there are no fields"),
        "{err}"
    );
}

#[test]
fn unknown_keys_scanners_and_fix_shapes_are_refused() {
    let err = load_errors(&rule_file("pss-privileged", "colour: red\n"));
    assert!(
        err.starts_with("policies/x.yaml:11:1: colour: unknown field `colour`, expected one of"),
        "{err}"
    );
    let text =
        rule_file("pss-privileged", "").replace("sources: {}", "sources: {trivy: KSV017, snyk: X}");
    let err = load_errors(&text);
    assert!(
        err.contains("sources.snyk: unknown scanner \"snyk\", expected one of kube-linter,"),
        "{err}"
    );
    let text = rule_file("pss-privileged", "")
        .replace("fix: {guidance: g}", "fix: {guidance: g, reason: r}");
    assert!(load_errors(&text).contains("fix: expected `applicability`"));
    let text =
        rule_file("pss-privileged", "").replace("[https://example.org]", "[http://example.org]");
    assert!(load_errors(&text)
        .contains("references[0]: \"http://example.org\" is not an https:// address"));
    let text = rule_file("pss-privileged", "title: again\n");
    assert!(load_errors(&text)
        .contains("policies/x.yaml:11:1: key \"title\" appears twice (first at line 2)"));
}

#[test]
fn every_error_of_every_file_is_returned() {
    let bad_key = rule_file("pss-privileged", "colour: red\n");
    let bad_params = rule_file(
        "resource-limit",
        "params: {resource: cpu, since: \"1.34\"}\n",
    )
    .replace("id: x", "id: q");
    // Both the stray key and the bad parameter of one file, and the other file's error.
    let both = rule_file("resource-limit", "colour: red\nparams: {resourc: cpu}\n")
        .replace("id: x", "id: r");
    let errors = Catalogue::load(&[
        ("x.yaml", &bad_key),
        ("q.yaml", &bad_params),
        ("r.yaml", &both),
    ])
    .unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors[0].starts_with("policies/x.yaml:11:1: colour"),
        "{errors:#?}"
    );
    assert!(
        errors[1].starts_with("policies/q.yaml:11:25: params.since"),
        "{errors:#?}"
    );
    assert!(
        errors[2].starts_with("policies/r.yaml:11:1: colour"),
        "{errors:#?}"
    );
    assert!(
        errors[3].starts_with("policies/r.yaml:12:10: params.resourc"),
        "{errors:#?}"
    );
}

#[test]
fn templates_receive_their_parameters_typed_and_prepared_at_load() {
    use kubeharden::rules::hardening::{
        EnvLiteralSecretParams, HostPathParams, Resource, ResourceLimitParams,
    };
    use kubeharden::KubeVersion;
    let catalogue = Catalogue::builtin();
    let cpu = catalogue.get("cpu-limits").unwrap();
    let p: &ResourceLimitParams = cpu.typed_params.downcast().unwrap();
    assert_eq!(p.resource, Resource::Cpu);
    assert_eq!(p.pod_level_since, Some(KubeVersion::new(34)));
    // The raw form is kept for display.
    assert_eq!(cpu.params["pod_level_since"], "1.34");
    // Wrong type asked: no value, not a wrong one.
    assert!(cpu.typed_params.downcast::<HostPathParams>().is_none());

    let text = rule_file(
        "host-path",
        "params:\n  paths: [{path: //etc/./kubernetes/, holds: h, source: s}]\n",
    );
    let loaded = Catalogue::load(&[("x.yaml", &text)]).unwrap();
    let p: &HostPathParams = loaded.rules[0].typed_params.downcast().unwrap();
    assert_eq!(p.paths[0].path, "/etc/kubernetes");
    let text = rule_file(
        "env-literal-secret",
        "params: {name_patterns: [token], value_prefixes: []}\n",
    );
    let loaded = Catalogue::load(&[("x.yaml", &text)]).unwrap();
    let p: &EnvLiteralSecretParams = loaded.rules[0].typed_params.downcast().unwrap();
    assert_eq!(p.name_patterns, ["TOKEN"]);
}

#[test]
fn every_template_parses_an_empty_or_its_builtin_parameters() {
    // Each template is used by a built-in rule (so its parameter type is exercised), and
    // templates that take nothing accept the empty mapping.
    let catalogue = Catalogue::builtin();
    // Templates for custom rules only (configuration files) have fixtures in tests/config.
    for t in rules::templates().filter(|t| !rules::registry::CUSTOM_ONLY.contains(&t.name)) {
        let used: Vec<_> = catalogue
            .rules
            .iter()
            .filter(|r| r.template == t.name)
            .collect();
        assert!(!used.is_empty(), "template {} is used by no rule", t.name);
        for r in used {
            assert!(t.parse_params(&r.params).is_ok(), "{}", r.id);
        }
        if t.params.type_name == "NoParams" {
            assert!(t.parse_params(&serde_json::json!({})).is_ok(), "{}", t.name);
        }
    }
}
