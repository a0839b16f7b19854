//! Every call from the playground into the engine (`kubeharden::adapter`) is here, and
//! the components see the adapter's types only through this module: re-wiring the
//! playground to a new adapter touches this file.

use kubeharden::adapter;
use kubeharden::{Area, Options};

pub use kubeharden::adapter::{Checked, EditorFinding, Hardened};

use kubeharden::config::Config;

use crate::state::{parse_config, CheckInput, FixKey};

/// The Config tab's configuration when it is valid (an invalid one is not applied: the
/// tab lists its errors).
pub fn valid_config(text: &str) -> Option<Config> {
    parse_config(text).and_then(Result::ok)
}

/// Check the state's text with its profile, version and configuration (in the playground's
/// worker, src/web/worker.rs, or on the page where none runs). Hardening and single fixes
/// are the extras' (src/web/extras_main.rs `harden`, `applyOne`).
pub fn check(input: &CheckInput) -> Checked {
    check_observed(input, &|_| {})
}

/// [`check`], telling `observe` how far it has come ([`kubeharden::Engine::check_observed`]).
pub fn check_observed(
    input: &CheckInput,
    observe: &(dyn Fn(kubeharden::Progress) + Sync),
) -> Checked {
    let config = valid_config(&input.config);
    adapter::check_observed(&input.text, input.options, config.as_ref(), observe)
}

/// The key of a finding's fix choice.
pub fn fix_key(f: &EditorFinding) -> FixKey {
    FixKey(f.id.clone())
}

/// A finding's area (`None` for an area this playground does not know).
pub fn area(f: &EditorFinding) -> Option<Area> {
    f.area.parse().ok()
}

/// Why a share link of `text` should warn, if it should: a `Secret` object, or a
/// credential written as a literal value (in an environment variable or a ConfigMap).
/// Read from the engine's model and findings under the `all` profile, whatever the
/// page's profile is, so that no profile hides a credential from the warning.
pub fn share_warning(text: &str) -> Option<&'static str> {
    let checked = adapter::check(
        text,
        Options {
            profile: kubeharden::Profile::All,
            ..Options::default()
        },
    );
    let rule = |id: &str| checked.findings.iter().any(|f| f.rule == id);
    if checked
        .objects
        .iter()
        .any(|o| o.group.is_empty() && o.kind == "Secret")
    {
        Some("a Secret")
    } else if rule("configmap-credential") || rule("env-configmap-credential") {
        Some("a credential in a ConfigMap")
    } else if checked.holds_secret {
        Some("a credential")
    } else {
        None
    }
}

/// What a finding's fix box shows: whether the hardened YAML really applies its fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixChoice {
    /// The rule has no automatic fix.
    None,
    /// The rule's fix cannot be made here (the reason).
    Unavailable(String),
    /// Suppressed findings are never fixed.
    Suppressed,
    /// An unsafe fix while unsafe fixes are off: waits behind the switch.
    NeedsUnsafe,
    /// Applied (`true`) or left out by the user (`false`).
    Chosen(bool),
}

/// The fix choice of `f` with these settings (as `fix::fix` decides what to apply).
pub fn fix_choice(f: &EditorFinding, unsafe_fixes: bool, left_out: &[FixKey]) -> FixChoice {
    let Some(fix) = &f.fix else {
        return FixChoice::None;
    };
    if let Some(reason) = &fix.unavailable {
        FixChoice::Unavailable(reason.clone())
    } else if f.suppressed.is_some() {
        FixChoice::Suppressed
    } else if fix.applicability == "unsafe" && !unsafe_fixes {
        FixChoice::NeedsUnsafe
    } else {
        FixChoice::Chosen(!left_out.contains(&fix_key(f)))
    }
}

/// The fixes waiting behind the unsafe switch (unsafe, not suppressed, possible here).
pub fn waiting_unsafe(checked: &Checked, unsafe_fixes: bool, left_out: &[FixKey]) -> usize {
    checked
        .findings
        .iter()
        .filter(|f| fix_choice(f, unsafe_fixes, left_out) == FixChoice::NeedsUnsafe)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, HardenInput, State, Tab};
    use kubeharden::{KubeVersion, Severity};
    use std::sync::Arc;

    /// What the extras' `harden` makes of the state's input (src/web/extras_main.rs; the
    /// playground's worker sends it these fields).
    fn harden(input: &HardenInput) -> Hardened {
        let left_out: Vec<String> = input.left_out.iter().map(|k| k.0.clone()).collect();
        adapter::harden_without_diff(
            &input.text,
            input.options,
            input.unsafe_fixes,
            &left_out,
            valid_config(&input.config).map(Arc::new),
        )
    }

    /// What the extras' `applyOne` does.
    fn apply_one(text: &str, options: Options, config: &str, id: &str) -> Result<String, String> {
        adapter::apply_one(text, options, valid_config(config).map(Arc::new), id)
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";

    #[test]
    fn a_fix_left_out_in_the_state_is_not_applied() {
        let s = State::initial("", None)
            .apply(Action::SetText(POD.into()))
            .apply(Action::SetUnsafe(true))
            .apply(Action::SelectTab(Tab::Hardened));
        let checked = check(&s.check_input().unwrap());
        let privileged = checked
            .findings
            .iter()
            .find(|f| f.rule == "privileged-container")
            .expect("the finding");
        assert_eq!(area(privileged), Some(Area::Controls));
        assert!(privileged.fix.is_some());
        assert!(harden(&s.harden_input().unwrap())
            .text
            .contains("privileged: false"));
        let s = s.apply(Action::ChooseFix(fix_key(privileged), false));
        let hardened = harden(&s.harden_input().unwrap());
        assert!(
            hardened.text.contains("privileged: true"),
            "{}",
            hardened.text
        );
        let s = s.apply(Action::ChooseFix(fix_key(privileged), true));
        assert!(harden(&s.harden_input().unwrap())
            .text
            .contains("privileged: false"));
    }

    #[test]
    fn fix_boxes_say_what_the_hardened_yaml_applies() {
        let checked = check(
            &State::initial("", None)
                .apply(Action::SetText(POD.into()))
                .check_input()
                .unwrap(),
        );
        let privileged = checked
            .findings
            .iter()
            .find(|f| f.rule == "privileged-container")
            .unwrap();
        assert_eq!(fix_choice(privileged, false, &[]), FixChoice::NeedsUnsafe);
        assert_eq!(fix_choice(privileged, true, &[]), FixChoice::Chosen(true));
        let out = [fix_key(privileged)];
        assert_eq!(fix_choice(privileged, true, &out), FixChoice::Chosen(false));
        let waiting = waiting_unsafe(&checked, false, &[]);
        assert!(waiting >= 1);
        assert_eq!(waiting_unsafe(&checked, true, &[]), 0);
        // The count matches what hardening without unsafe fixes leaves for the switch.
        let safe = harden(&HardenInput {
            text: POD.into(),
            options: Options::default(),
            unsafe_fixes: false,
            left_out: Vec::new(),
            config: "".into(),
        });
        assert!(safe.text.contains("privileged: true"));
        let suppressed = POD.replace(
            "metadata: {name: p}",
            "metadata: {name: p, annotations: {ignore.kubeharden.io/privileged-container: \"a test\"}}",
        );
        let checked = adapter::check(&suppressed, Options::default());
        let f = checked
            .findings
            .iter()
            .find(|f| f.rule == "privileged-container")
            .unwrap();
        assert_eq!(fix_choice(f, true, &[]), FixChoice::Suppressed);
    }

    #[test]
    fn one_fix_is_applied_alone() {
        let text = POD.replace("spec:\n", "spec:\n  hostNetwork: true\n");
        let checked = adapter::check(&text, Options::default());
        let host = checked
            .findings
            .iter()
            .find(|f| f.rule == "host-namespaces")
            .unwrap();
        let fixed = apply_one(&text, Options::default(), "", &host.id).unwrap();
        assert!(!fixed.contains("hostNetwork: true"), "{fixed}");
        assert!(fixed.contains("privileged: true"), "only this fix: {fixed}");
        assert!(apply_one(POD, Options::default(), "", "no-such-id").is_err());
    }

    /// A custom rule, a severity, a rule turned off and an exemption: the Config tab's
    /// text reaches the checks, the hardened YAML and single fixes.
    const CONFIG: &str = "rules:\n  host-namespaces: off\n  privileged-container: {severity: low}\ncustom-rules:\n  - id: images-from-our-registry\n    title: Image from a registry we do not run\n    severity: high\n    area: controls\n    template: image-registry\n    params: {allowed: [registry.example.com]}\n    fix: {guidance: Push the image to registry.example.com.}\n    rationale: Only images built by our pipeline may run.\n    remediation: Mirror the image into registry.example.com.\n    references: [https://kubernetes.io/docs/concepts/containers/images/]\nexemptions:\n  - rule: image-tag-without-digest\n    objects: [{kind: Pod, name: p}]\n    reason: a test pod\n";

    #[test]
    fn the_config_tab_reaches_checks_and_fixes() {
        let text = POD.replace("spec:\n", "spec:\n  hostNetwork: true\n");
        let plain = State::initial("", None).apply(Action::SetText(text.clone()));
        let rules = |s: &State| -> Vec<(&'static str, Severity, bool)> {
            check(&s.check_input().unwrap())
                .findings
                .iter()
                .map(|f| (f.rule, f.severity, f.suppressed.is_some()))
                .collect()
        };
        let before = rules(&plain);
        assert!(before.iter().any(|r| r.0 == "host-namespaces"));
        let configured = plain.clone().apply(Action::SetConfig(CONFIG.into()));
        let after = rules(&configured);
        assert!(!after.iter().any(|r| r.0 == "host-namespaces"), "{after:?}");
        assert!(after.contains(&("privileged-container", Severity::Low, false)));
        assert!(after.iter().any(|r| r.0 == "images-from-our-registry"));
        let custom = check(&configured.check_input().unwrap())
            .findings
            .into_iter()
            .find(|f| f.rule == "images-from-our-registry")
            .unwrap();
        assert_eq!(custom.title, "Image from a registry we do not run");
        assert!(custom.rationale.contains("our pipeline"));
        assert!(
            after
                .iter()
                .any(|r| r.0 == "image-tag-without-digest" && r.2),
            "{after:?}"
        );
        // Hardening and one fix use the configuration too: host-namespaces is off.
        let hardened = harden(
            &configured
                .clone()
                .apply(Action::SetUnsafe(true))
                .apply(Action::SelectTab(Tab::Hardened))
                .harden_input()
                .unwrap(),
        );
        assert!(
            hardened.text.contains("hostNetwork: true"),
            "{}",
            hardened.text
        );
        let host = check(&plain.check_input().unwrap())
            .findings
            .into_iter()
            .find(|f| f.rule == "host-namespaces")
            .unwrap();
        assert!(apply_one(&text, Options::default(), "", &host.id).is_ok());
        assert!(apply_one(&text, Options::default(), CONFIG, &host.id).is_err());
        // An invalid configuration is not applied.
        let broken = plain.apply(Action::SetConfig("rules:\n  host-namespace: off\n".into()));
        assert_eq!(rules(&broken), before);
    }

    #[test]
    fn the_patch_release_is_part_of_what_a_check_depends_on() {
        let input = State::initial("", None)
            .apply(Action::SetText(POD.into()))
            .apply(Action::SetVersion(Some(KubeVersion::with_patch(25, 3))))
            .check_input()
            .unwrap();
        let minor = CheckInput {
            options: Options {
                version: KubeVersion::new(25),
                ..input.options
            },
            ..input.clone()
        };
        assert_ne!(minor, input);
    }

    #[test]
    fn the_share_warning_reads_the_model_under_every_profile() {
        let secret = "apiVersion: v1\nkind:   Secret   # a comment\nmetadata: {name: s}\nstringData: {a: b}\n";
        assert_eq!(share_warning(secret), Some("a Secret"));
        let config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {DB_PASSWORD: hunter2hunter2}\n";
        assert_eq!(share_warning(config), Some("a credential in a ConfigMap"));
        assert_eq!(share_warning(POD), None);
    }
}
