//! What the playground's extras compute for the export menu and the version note (pure:
//! also tested natively by `tests/playground_state.rs`): the JSON and SARIF reports exactly
//! as `kubeharden check` writes them, and the target version's support line. The extras
//! (src/web/extras_main.rs) are a WebAssembly of their own, loaded when first asked for.

use kubeharden::adapter;
use kubeharden::config::Config;
use kubeharden::support::{ReleaseTable, TargetSupport};
use kubeharden::Options;

pub use kubeharden::adapter::ReportFormat;

/// The name the exports and the CLI command give the editor's text.
pub const MANIFEST_NAME: &str = "manifest.yaml";

/// Where the release table is, relative to the page: `policies/data/k8s-releases.yaml`,
/// copied by Trunk and fetched when first needed (the CLI compiles it in).
pub const RELEASES_URL: &str = "k8s-releases.yaml";

/// The release table of `text` (`RELEASES_URL`'s), kept for the page's life.
/// Errors: the file's name and what is wrong in it ([`ReleaseTable::parse`]).
pub fn release_table(text: &str) -> Result<&'static ReleaseTable, String> {
    adapter::release_table(text).map_err(|e| format!("{RELEASES_URL}: {e}"))
}

/// How `version` stands on `today` by `table` (the CLI's `summary.target`).
pub fn target(
    table: &'static ReleaseTable,
    version: kubeharden::KubeVersion,
    today: kubeharden::support::Date,
) -> TargetSupport {
    kubeharden::support::support_in(table, version, today)
}

/// A rule's documentation text: rationale, remediation, references.
pub type RuleText = (String, String, Vec<String>);

/// The Config tab's configuration (`config`, the text of `.kubeharden.yaml`) when it is
/// not blank and valid: the playground applies no invalid one (its tab lists the errors).
pub fn valid_config(config: &str) -> Option<Config> {
    (!config.trim().is_empty())
        .then(|| Config::parse(kubeharden::config::FILE_NAME, config).ok())
        .flatten()
}

/// The report `kubeharden check --format json|sarif` writes for `text` saved as
/// `manifest.yaml` with `options` (the menus', or the configuration's), with
/// `--config .kubeharden.yaml` when `config` is a valid configuration, and with `target` as
/// its `summary.target`. SARIF's rule metadata needs the rules' documentation, which the
/// playground's builds leave out: `docs` fills it in (rationale, remediation, references by
/// rule id, fetched from `rule-examples.json`).
pub fn report(
    text: &str,
    options: Options,
    config: &str,
    format: ReportFormat,
    target: Option<&TargetSupport>,
    docs: &dyn Fn(&str) -> Option<RuleText>,
) -> String {
    let config = valid_config(config);
    let catalogue = (format == ReportFormat::Sarif).then(|| {
        let mut catalogue = match config.as_ref() {
            Some(c) => Config::catalogue(c).as_ref().clone(),
            None => kubeharden::Catalogue::builtin().clone(),
        };
        for rule in &mut catalogue.rules {
            if kubeharden::Catalogue::builtin().get(&rule.id).is_none() {
                continue; // a custom rule: its docs are in the configuration
            }
            if let Some((rationale, remediation, references)) = docs(&rule.id) {
                rule.rationale = rationale;
                rule.remediation = remediation;
                rule.references = references;
            }
        }
        catalogue
    });
    adapter::report(
        text,
        MANIFEST_NAME,
        options,
        config.as_ref(),
        target,
        format,
        catalogue.as_ref(),
    )
}

/// The CLI's line about the target version's support, when worth saying.
pub fn target_note(target: &TargetSupport) -> Option<String> {
    adapter::target_note(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeharden::KubeVersion;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";

    #[test]
    fn reports_are_the_clis_for_manifest_yaml_with_a_patch_release() {
        let options = Options {
            version: KubeVersion::with_patch(25, 3),
            ..Options::default()
        };
        let today = kubeharden::support::Date::new(2026, 12, 1).unwrap();
        let table = release_table(include_str!("../../policies/data/k8s-releases.yaml")).unwrap();
        let t = target(table, options.version, today);
        let json: serde_json::Value = serde_json::from_str(&report(
            POD,
            options,
            "",
            ReportFormat::Json,
            Some(&t),
            &|_| None,
        ))
        .unwrap();
        assert_eq!(json["version"], 2);
        assert_eq!(json["settings"]["kube_version"], "v1.25.3");
        assert_eq!(json["findings"][0]["file"], "manifest.yaml");
        assert_eq!(json["summary"]["target"]["status"], "end-of-life");
        assert!(json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "kube-version-cves"));
        let docs = |id: &str| {
            (id == "privileged-container").then(|| {
                (
                    "why".to_string(),
                    "how".to_string(),
                    vec!["https://kubernetes.io/".to_string()],
                )
            })
        };
        let sarif: serde_json::Value = serde_json::from_str(&report(
            POD,
            options,
            "",
            ReportFormat::Sarif,
            Some(&t),
            &docs,
        ))
        .unwrap();
        let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let privileged = rules
            .iter()
            .find(|r| r["id"] == "privileged-container")
            .unwrap();
        assert_eq!(privileged["help"]["text"], "how");
        assert_eq!(privileged["helpUri"], "https://kubernetes.io/");
        let note = target_note(&target(table, KubeVersion::new(25), today)).unwrap();
        assert!(
            note.starts_with("warning: target v1.25 reached its end of support"),
            "{note}"
        );
        assert_eq!(
            target_note(&target(table, KubeVersion::LATEST, today)),
            None
        );
        // The fetched table is the compiled-in one.
        assert_eq!(
            Some(&t),
            kubeharden::support::target_support(options.version, today)
                .ok()
                .as_ref()
        );
    }

    #[test]
    fn a_blank_or_invalid_configuration_is_not_applied() {
        assert!(valid_config("  \n").is_none());
        assert!(valid_config("rules:\n  host-namespace: off\n").is_none());
        assert!(valid_config("rules:\n  privileged-container: off\n").is_some());
        let off = report(
            POD,
            Options::default(),
            "rules:\n  privileged-container: off\n",
            ReportFormat::Json,
            None,
            &|_| None,
        );
        assert!(!off.contains("\"privileged-container\""), "{off}");
    }
}
