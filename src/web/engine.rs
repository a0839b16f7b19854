//! Every call from the playground into the engine (`kubeharden::adapter`) is here, and
//! the components see the adapter's types only through this module: re-wiring the
//! playground to a new adapter touches this file.

use kubeharden::adapter;
use kubeharden::{Area, Options};

pub use kubeharden::adapter::{Checked, EditorFinding, Hardened};

use crate::state::{CheckInput, FixKey, HardenInput};

/// Check the state's text with its profile and version.
pub fn check(input: &CheckInput) -> Checked {
    adapter::check(&input.text, input.options)
}

/// Harden the state's text: safe fixes (and unsafe ones when chosen), except the fixes
/// the user left out.
pub fn harden(input: &HardenInput) -> Hardened {
    let left_out: Vec<String> = input.left_out.iter().map(|k| k.0.clone()).collect();
    adapter::harden(&input.text, input.options, input.unsafe_fixes, &left_out)
}

/// The key of a finding's fix choice.
pub fn fix_key(f: &EditorFinding) -> FixKey {
    FixKey(f.id.clone())
}

/// A finding's area (`None` for an area this playground does not know).
pub fn area(f: &EditorFinding) -> Option<Area> {
    f.area.parse().ok()
}

/// Whether a share link of `text` should warn: a Secret or a literal credential.
/// (Read from the engine's model of the text, not from its lines.)
pub fn looks_secret(checked: &Checked) -> bool {
    checked.holds_secret
}

/// One check of `text` with the default options (for the budget script's timing);
/// returns the number of findings.
pub fn bench_check(text: &str) -> usize {
    adapter::check(text, Options::default()).findings.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, State, Tab};

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
}
