//! The upstream Pod Security Standards conformance fixtures are the referee: every fail
//! fixture yields a finding for the check its file names, every pass fixture yields no
//! PSS finding, at its level and version.

mod common;

use kubeharden::{Engine, KubeVersion, Options, Profile, Source};

const CHECKS: &[&str] = &[
    "privileged",
    "hostNamespaces",
    "hostPorts",
    "hostPathVolumes",
    "capabilities_baseline",
    "capabilities_restricted",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "seccompProfile_baseline",
    "seccompProfile_restricted",
    "appArmorProfile",
    "seLinuxOptions",
    "procMount",
    "procMount_restricted",
    "sysctls",
    "windowsHostProcess",
    "restrictedVolumes",
    "hostProbesAndHostLifecycle",
];

#[test]
fn pss_conformance_fixtures_agree_100_percent() {
    let Some(root) = common::corpus("pss") else {
        return;
    };
    let mut total = 0;
    let mut failures = Vec::new();
    for level in ["baseline", "restricted"] {
        let profile: Profile = level.parse().unwrap();
        let mut versions: Vec<_> = std::fs::read_dir(root.join(level))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        versions.sort();
        for vdir in versions {
            let version: KubeVersion = vdir.file_name().unwrap().to_str().unwrap().parse().unwrap();
            let engine = Engine::new(Options {
                profile,
                version,
                ..Options::default()
            });
            for expect in ["pass", "fail"] {
                for file in common::files(&vdir.join(expect), &["yaml"]) {
                    total += 1;
                    let text = std::fs::read_to_string(&file).unwrap();
                    let report = engine.check(&[Source::new(file.display().to_string(), text)]);
                    let pss: Vec<&str> = report
                        .findings
                        .iter()
                        .filter_map(|f| f.pss())
                        .map(|p| p.check.as_str())
                        .collect();
                    let stem = file
                        .file_stem()
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .trim_end_matches(|c: char| c.is_ascii_digit());
                    let ok = if expect == "pass" {
                        pss.is_empty() && report.errors.is_empty()
                    } else {
                        let check = CHECKS
                            .iter()
                            .find(|c| c.eq_ignore_ascii_case(stem))
                            .unwrap_or_else(|| panic!("unknown check in {}", file.display()));
                        pss.contains(check)
                    };
                    if !ok {
                        failures.push(format!(
                            "{} ({level} {version}): got {:?} errors {:?}",
                            file.strip_prefix(&root).unwrap().display(),
                            pss,
                            report.errors
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(total, 4537, "the corpus should hold 4,537 fixtures");
    assert!(
        failures.is_empty(),
        "{} of {total} fixtures disagree:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!("PSS conformance: {total} of {total} fixtures agree");
}
