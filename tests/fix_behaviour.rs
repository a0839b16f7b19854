//! How hardened YAML is written: the user's style is copied, shared text is left alone,
//! and the fixes a person selects are the ones applied.

use kubeharden::fix::{fix, FixOptions};

fn unsafe_fix(text: &str) -> kubeharden::fix::FixResult {
    fix(
        text,
        &FixOptions {
            unsafe_fixes: true,
            ..FixOptions::default()
        },
    )
}

fn only(rule: &str) -> FixOptions {
    FixOptions {
        unsafe_fixes: true,
        rules: Some(vec![rule.into()]),
        ..FixOptions::default()
    }
}

#[test]
fn inserted_keys_copy_indentation_and_flush_sequences() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n    - name: c\n      image: nginx:1.27\n      ports:\n      - containerPort: 80\n";
    let result = fix(text, &only("capabilities-restricted"));
    assert_eq!(
        result.text(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n    - name: c\n      image: nginx:1.27\n      ports:\n      - containerPort: 80\n      securityContext:\n          capabilities:\n              drop:\n              - ALL\n"
    );
}

#[test]
fn fixes_in_one_place_share_one_block_and_crlf_is_kept() {
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n    - name: c\r\n      image: nginx:1.27\r\n";
    let result = fix(
        text,
        &FixOptions {
            unsafe_fixes: true,
            rules: Some(vec![
                "allow-privilege-escalation".into(),
                "read-only-root-filesystem".into(),
            ]),
            ..FixOptions::default()
        },
    );
    assert_eq!(
        result.text(),
        "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n    - name: c\r\n      image: nginx:1.27\r\n      securityContext:\r\n        allowPrivilegeEscalation: false\r\n        readOnlyRootFilesystem: true\r\n"
    );
    assert_eq!(result.rounds.len(), 1);
    assert_eq!(result.rounds[0].len(), 1, "one merged insertion");
}

#[test]
fn json_stays_json() {
    let text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"hostPID\": true,\n    \"containers\": [{\"name\": \"c\", \"image\": \"nginx:1.27\"}]\n  }\n}\n";
    let result = unsafe_fix(text);
    let value: serde_json::Value = serde_json::from_str(result.text()).expect("valid JSON");
    assert_eq!(value["spec"]["hostPID"], false);
    assert_eq!(value["spec"]["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        value["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"][0],
        "ALL"
    );
    assert!(
        result.text().contains("\n    \"securityContext\": {"),
        "a new pod key sits on its own line like its siblings:\n{}",
        result.text()
    );
}

#[test]
fn values_behind_a_shared_anchor_are_not_edited() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - &app\n      name: a\n      image: nginx:1.27\n      securityContext: {privileged: true}\n  initContainers:\n    - *app\n";
    let result = fix(text, &only("privileged-container"));
    assert_eq!(result.text(), text, "nothing edited");
    assert!(result.applied.is_empty());
    assert_eq!(result.skipped.len(), 2, "{:?}", result.skipped);
    assert!(result
        .skipped
        .iter()
        .all(|s| s.reason.as_deref().unwrap().contains("anchor")));
}

#[test]
fn null_values_and_their_comments() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: ~   # filled in later\n";
    let result = fix(text, &only("allow-privilege-escalation"));
    assert_eq!(
        result.text(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: # filled in later\n      allowPrivilegeEscalation: false\n"
    );
}

#[test]
fn safe_by_default_unsafe_on_request_and_per_finding_selection() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  hostIPC: true\n  hostIPC: true\n  containers: []\n";
    let safe = fix(text, &FixOptions::default());
    assert_eq!(safe.text(), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  hostIPC: true\n  containers: []\n", "only the duplicate key (safe)");
    let selected = fix(
        text,
        &FixOptions {
            unsafe_fixes: true,
            // A finding id: rule, file (`<stdin>` for one text), 1-based document, pointer.
            only: Some(vec!["host-namespaces:<stdin>:1:/spec/hostPID".into()]),
            ..FixOptions::default()
        },
    );
    assert_eq!(
        selected.text(),
        text.replace("hostPID: true", "hostPID: false")
    );
    assert_eq!(selected.applied.len(), 1);
}

#[test]
fn removed_lines_keep_their_comments_and_the_next_key_moves_up() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    ports:\n    - hostPort: 8080   # debug only\n      containerPort: 8080\n";
    let result = fix(text, &only("host-ports"));
    assert_eq!(
        result.text(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    ports:\n    - # debug only\n      containerPort: 8080\n"
    );
}

/// The default-deny fix appends a NetworkPolicy document: after a line break when the file
/// has none at its end, with the file's CRLF line ends, and never into a JSON file (which
/// holds one object), where it is skipped with the reason.
#[test]
fn a_default_deny_policy_is_appended_as_a_document_of_the_file() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}";
    let result = fix(deployment, &only("namespace-default-deny"));
    let fixed = result.text();
    assert!(
        fixed.starts_with(&format!("{deployment}\n---\n# Added by kubeharden")),
        "{fixed}"
    );
    assert!(
        fixed.contains("  name: default-deny\n  namespace: shop\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("  policyTypes: [Ingress, Egress]\n"),
        "{fixed}"
    );
    assert_eq!(result.applied.len(), 1, "{:?}", result.skipped);
    // Fixing again changes nothing: the namespace now has its default deny.
    assert_eq!(fix(fixed, &only("namespace-default-deny")).text(), fixed);

    let crlf = format!("{}\r\n", deployment.replace('\n', "\r\n"));
    let fixed = fix(&crlf, &only("namespace-default-deny"))
        .text()
        .to_string();
    assert!(
        fixed.starts_with(&crlf) && fixed[crlf.len()..].starts_with("---\r\n"),
        "{fixed:?}"
    );
    assert!(
        !fixed.replace("\r\n", "").contains('\n'),
        "only CRLF line ends: {fixed:?}"
    );

    let json = "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"web\", \"namespace\": \"shop\"}, \"spec\": {\"template\": {\"metadata\": {\"labels\": {\"app\": \"web\"}}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx\"}]}}}}\n";
    let result = fix(json, &only("namespace-default-deny"));
    assert_eq!(result.text(), json);
    assert!(
        result.skipped.iter().any(|s| s
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("the file is JSON"))),
        "{:?}",
        result.skipped
    );
}

/// Removed list items keep their comments at their place, and a key inserted into the
/// same mapping goes after those comments, not above them (the comment would then read
/// as if it were about the new key's neighbour).
#[test]
fn kept_comments_of_removed_items_stay_above_keys_inserted_after_them() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: api\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n          add:\n            - NET_ADMIN   # lets the container reconfigure the pod network\n            - SYS_TIME\n";
    let result = fix(
        text,
        &FixOptions {
            unsafe_fixes: true,
            rules: Some(vec![
                "capabilities-restricted".into(),
                "capabilities-baseline".into(),
            ]),
            ..FixOptions::default()
        },
    );
    assert_eq!(
        result.text(),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: api\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n          # lets the container reconfigure the pod network\n          drop:\n            - ALL\n"
    );
}

/// Each fix removes one item of `add`; when separate fixes remove every item, the key
/// goes too (issue 9): `add:` alone would be a null the API server accepts but that
/// only adds noise. Removing some of the items keeps the key and the rest.
#[test]
fn a_list_emptied_by_separate_fixes_loses_its_key() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n          add:\n            - SYS_ADMIN\n            - NET_ADMIN\n          drop: [ALL]\n";
    let result = fix(text, &only("capabilities-baseline"));
    assert_eq!(result.applied.len(), 2, "{:?}", result.skipped);
    assert_eq!(
        result.text(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        capabilities:\n          drop: [ALL]\n"
    );
    // Both capability rules flag both items (four fixes, two distinct removals).
    let both = fix(
        text,
        &FixOptions {
            unsafe_fixes: true,
            rules: Some(vec![
                "capabilities-restricted".into(),
                "capabilities-baseline".into(),
            ]),
            ..FixOptions::default()
        },
    );
    assert_eq!(both.text(), result.text());
    // An allowed item stays, with its key.
    let kept = text.replace("- NET_ADMIN", "- CHOWN");
    let partial = fix(&kept, &only("capabilities-baseline"));
    assert!(
        partial
            .text()
            .contains("add:\n            - CHOWN\n          drop: [ALL]\n"),
        "{}",
        partial.text()
    );
}

/// Found by the `fix` fuzz target: the items of one flow list are removed one per round
/// (their edits overlap), and with more of them than the rounds then allowed the first
/// fix stopped short: a second one applied 4 more fixes. Fixing twice changes nothing.
#[test]
fn many_removals_from_one_flow_list_still_reach_a_fixed_point() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: shop\nspec:\n  hostNetwork: false\n  hostPID: true\n  initContainers:\n  - name: c0\n    image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    securityContext:\n      privileged: true\n      allowPrivilegeEscalation: true\n      readOnlyRootFilesystem: true\n      capabilities: {add: [CHOWN, CHOWN, CHOWN, CHOWN, CHOWN, NET_BIND_SERVICE, ALL, ALL, ALL]}\n      runAsNonRoot: true\n      runAsUser: 0\n  containers:\n  - name: main\n    image: nginx\n";
    assert_fixed_point(text);
}

/// Found by the `fix` fuzz target after the first fix of the round limit: 24 removals
/// from one flow list, one per round, outlasted a limit of "the fixes wanted + 12".
#[test]
fn two_dozen_removals_from_one_flow_list_reach_a_fixed_point() {
    let add = ["CHOWN"; 24].join(", ");
    let text = format!("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: app\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {{app: app}}\n  template:\n    metadata:\n      labels: {{app: app}}\n    spec:\n      containers:\n      - name: c1\n        image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        securityContext:\n          readOnlyRootFilesystem: true\n          capabilities: {{add: [{add}, NET_BIND_SERVICE]}}\n          runAsUser: 0\n");
    assert_fixed_point(&text);
}

/// Fixing `text` (unsafe fixes too) and fixing the result again changes nothing.
fn assert_fixed_point(text: &str) {
    let options = kubeharden::fix::FixOptions {
        unsafe_fixes: true,
        ..Default::default()
    };
    let once = kubeharden::fix::fix(text, &options);
    let twice = kubeharden::fix::fix(once.text(), &options);
    assert!(
        twice.applied.is_empty() && twice.text() == once.text(),
        "{} more fixes on the fixed text:\n{}",
        twice.applied.len(),
        once.text()
    );
}

/// A key written many times in one mapping (the API server keeps the last value: see the
/// duplicate-key rule) is fixed in one round: each repetition's fix removes the occurrence
/// just before it, so the edits are distinct and all apply together. Removing the first
/// occurrence each time took one round, and one check of the bundle, per repetition: the
/// `js_options` fuzz target found a 253-byte text of `?` keys that took over 10 s, and 200
/// lines of `a: 1` took 88 s.
#[test]
fn a_key_repeated_hundreds_of_times_is_fixed_in_one_round() {
    for text in [
        "a: 1\n".repeat(300),
        "?\n".repeat(300),
        "?\r\r\n".repeat(100),
    ] {
        let result = fix(&text, &only("duplicate-key"));
        assert_eq!(result.rounds.len(), 1, "{text:?}");
        assert_eq!(result.applied.len(), 299.min(text.lines().count() - 1));
        let again = fix(result.text(), &only("duplicate-key"));
        assert!(again.applied.is_empty() && again.rounds.is_empty());
    }
    assert_eq!(
        fix(&"a: 1\n".repeat(300), &only("duplicate-key")).text(),
        "a: 1\n"
    );
}
