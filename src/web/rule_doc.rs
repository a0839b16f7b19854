//! The rule documentation panel of a finding, rendered from the same model as
//! `kubeharden explain` and `docs/rules.md` ([`kubeharden::docs::RuleDoc`]): why the rule
//! matters, how to fix it, its fix policy, its Pod Security Standards check, the field, an
//! example and what to write instead, and the references.

use std::collections::HashMap;
use std::rc::Rc;

use kubeharden::docs::{FixtureKind, RuleDoc as Doc};
use yew::prelude::*;

thread_local! {
    /// Every rule's documentation, built once per page.
    static DOCS: HashMap<String, Rc<Doc>> = kubeharden::docs::builtin()
        .into_iter()
        .map(|d| (d.id.clone(), Rc::new(d)))
        .collect();
}

/// The documentation of rule `id`.
pub fn doc(id: &str) -> Option<Rc<Doc>> {
    DOCS.with(|d| d.get(id).cloned())
}

#[derive(Properties, PartialEq)]
pub struct RuleDocProps {
    pub rule: &'static str,
    /// The JSON pointer of the finding's field.
    pub path: String,
}

#[function_component(RuleDoc)]
pub fn rule_doc(p: &RuleDocProps) -> Html {
    // Opening the panel is not a click on the finding (which selects it in the editor).
    let stop = |e: MouseEvent| e.stop_propagation();
    let Some(d) = doc(p.rule) else {
        return html! {};
    };
    let instead = d.use_instead.as_ref().map(|f| match f.kind {
        FixtureKind::Fixed => "After `kubeharden fix`",
        FixtureKind::UnsafeFixed => "After `kubeharden fix --unsafe`",
        FixtureKind::Pass | FixtureKind::Fail => "Use instead",
    });
    html! {
        <details class="rule-doc" onclick={ stop }>
            <summary>{ format!("{} — why it matters, how to fix", d.title) }</summary>
            <p>{ &d.rationale }</p>
            <p><strong>{ "Fix: " }</strong>{ &d.remediation }</p>
            if let Some(fix) = &d.fix {
                <p><strong>{ format!("{}: ", fix.heading) }</strong>{ &fix.text }</p>
            }
            if let Some(pss) = &d.pss {
                <p>{ format!("Pod Security Standards: {} {} (from {})", pss.level.as_str(), pss.check, pss.since) }</p>
            }
            <p class="path">{ format!("Field: {}", p.path) }</p>
            if let Some(example) = &d.example {
                <p class="example-label">{ "Example" }</p>
                <pre class="example" data-testid="rule-example">{ &example.text }</pre>
            }
            if let (Some(f), Some(label)) = (&d.use_instead, instead) {
                <p class="example-label">{ label }</p>
                <pre class="example" data-testid="rule-use-instead">{ &f.text }</pre>
            }
            <ul class="refs">
                { for d.references.iter().map(|r| html! {
                    <li><a href={ r.clone() } rel="noopener noreferrer" target="_blank">{ r }</a></li>
                }) }
            </ul>
            <p class="suppression">{ format!("Suppress with the annotation {}: \"<why the risk is accepted>\"", d.suppression) }</p>
        </details>
    }
}
