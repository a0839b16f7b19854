//! Cross-check against Polaris' own fixed outputs (`peers/polaris/checks/*/mutated.yaml`)
//! where its checks and ours mean the same thing: after our (unsafe) fix the field has
//! the same effective value as in Polaris' output. Where we differ, by design:
//! - Polaris removes `hostNetwork`/`hostPID`/`hostIPC`/`hostPort`; we set the flags to
//!   false (same meaning) and remove `hostPort`, editing the user's text in place instead
//!   of re-serialising the whole manifest (Polaris drops comments and re-indents).
//! - `dangerousCapabilities`: Polaris drops the whole `capabilities`; we remove only
//!   the added capability.
//! - `cpuLimitsMissing`/`memoryLimitsMissing`: Polaris inserts placeholder limits; we
//!   offer guidance only, since a made-up limit can throttle or kill a workload.

mod common;

use kubeharden::fix::{fix, FixOptions};
use kubeharden::yaml::{parse_stream, Limits};

fn json(text: &str) -> serde_json::Value {
    let stream = parse_stream(text, &Limits::default());
    let doc = &stream.documents[0];
    doc.to_json(doc.root.unwrap())
}

/// The effective value at a pointer: absent booleans are false, absent lists empty.
fn effective(v: &serde_json::Value, pointer: &str) -> serde_json::Value {
    match v.pointer(pointer) {
        None | Some(serde_json::Value::Null) => serde_json::Value::Null,
        Some(serde_json::Value::Bool(false)) => serde_json::Value::Null,
        Some(serde_json::Value::Array(a)) if a.is_empty() => serde_json::Value::Null,
        Some(other) => other.clone(),
    }
}

#[test]
fn our_fixes_agree_with_polaris_mutations() {
    let Some(root) = common::corpus("peers/polaris/checks") else {
        return;
    };
    let cases = [
        ("hostNetworkSet", "host-namespaces", "/spec/hostNetwork"),
        ("hostPIDSet", "host-namespaces", "/spec/hostPID"),
        ("hostIPCSet", "host-namespaces", "/spec/hostIPC"),
        (
            "hostPortSet",
            "host-ports",
            "/spec/containers/0/ports/0/hostPort",
        ),
        (
            "insecureCapabilities",
            "capabilities-restricted",
            "/spec/containers/0/securityContext/capabilities/drop",
        ),
        (
            "dangerousCapabilities",
            "capabilities-baseline",
            "/spec/containers/0/securityContext/capabilities/add",
        ),
        (
            "runAsRootAllowed",
            "run-as-non-root",
            "/spec/template/spec/containers/0/securityContext/runAsNonRoot",
        ),
    ];
    for (check, rule, pointer) in cases {
        let failure = std::fs::read_to_string(root.join(check).join("failure.yaml")).unwrap();
        let mutated = std::fs::read_to_string(root.join(check).join("mutated.yaml")).unwrap();
        let ours = fix(
            &failure,
            &FixOptions {
                unsafe_fixes: true,
                rules: Some(vec![rule.into()]),
                ..FixOptions::default()
            },
        );
        assert!(!ours.applied.is_empty(), "{check}: we fixed nothing");
        assert_ne!(
            effective(&json(&failure), pointer),
            effective(&json(&mutated), pointer),
            "{check}: the pointer must be what Polaris changed"
        );
        assert_eq!(
            effective(&json(ours.text()), pointer),
            effective(&json(&mutated), pointer),
            "{check}: {pointer}\n{}",
            ours.text()
        );
    }
}
