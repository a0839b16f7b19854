//! The rule documentation panel of a finding: why the rule matters, how to fix it, its
//! Pod Security Standards check, the field and the references (from the catalogue).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RuleDocProps {
    pub title: &'static str,
    pub rationale: &'static str,
    pub remediation: &'static str,
    /// `level check`, e.g. `baseline privileged`.
    pub pss: Option<String>,
    /// The JSON pointer of the finding's field.
    pub path: String,
    pub references: &'static [String],
}

#[function_component(RuleDoc)]
pub fn rule_doc(p: &RuleDocProps) -> Html {
    // Opening the panel is not a click on the finding (which selects it in the editor).
    let stop = |e: MouseEvent| e.stop_propagation();
    html! {
        <details class="rule-doc" onclick={ stop }>
            <summary>{ format!("{} — why it matters, how to fix", p.title) }</summary>
            <p>{ p.rationale }</p>
            <p><strong>{ "Fix: " }</strong>{ p.remediation }</p>
            if let Some(pss) = &p.pss { <p>{ format!("Pod Security Standards: {pss}") }</p> }
            <p class="path">{ format!("Field: {}", p.path) }</p>
            <ul class="refs">
                { for p.references.iter().map(|r| html! {
                    <li><a href={ r.clone() } rel="noopener noreferrer" target="_blank">{ r }</a></li>
                }) }
            </ul>
        </details>
    }
}
