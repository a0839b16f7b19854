//! The adapter the playground calls, run in the browser (`make wasm-test`:
//! wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use kubeharden::adapter::{check, harden};
use kubeharden::Options;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const POD: &str = "# café 🦀\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";

#[wasm_bindgen_test]
fn findings_carry_utf16_ranges_for_the_editor() {
    let checked = check(POD, Options::default());
    let f = checked
        .findings
        .iter()
        .find(|f| f.rule == "privileged-container")
        .expect("finding");
    assert_eq!(f.line, 9);
    let utf16: Vec<u16> = POD.encode_utf16().collect();
    let underlined = String::from_utf16(&utf16[f.from..f.to]).unwrap();
    assert_eq!(underlined, "privileged: true");
}

#[wasm_bindgen_test]
fn hardening_in_the_browser_keeps_comments() {
    let hardened = harden(POD, Options::default(), true, &[]);
    assert!(hardened.text.starts_with("# café 🦀\n"));
    assert!(hardened.text.contains("privileged: false"));
    assert!(hardened
        .diff
        .contains("-    securityContext: {privileged: true}"));
}

#[wasm_bindgen_test]
fn broken_documents_are_errors_while_others_are_checked() {
    let text = "a: [1\n---\napiVersion: v1\nkind: Pod\nspec: {hostPID: true, containers: []}\n";
    let checked = check(text, Options::default());
    assert_eq!(checked.errors.len(), 1);
    assert!(checked.findings.iter().any(|f| f.rule == "host-namespaces"));
}
