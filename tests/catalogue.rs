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
