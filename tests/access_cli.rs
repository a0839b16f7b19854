//! `kubeharden can-i`, `who-can`, `access` and `reach` as a user runs them: answers,
//! locations, formats and exit statuses, on tests/access/shop.yaml (its header states the
//! expected answers and their sources).

mod common;

use std::process::Output;

const SHOP: &str = "tests/access/shop.yaml";

fn kubeharden(args: &[&str], stdin: Option<&str>) -> Output {
    common::run_cli(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        args,
        stdin.unwrap_or(""),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The line of `needle` in the fixture, 1-based.
fn line_of(needle: &str) -> usize {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/access/shop.yaml"
    ))
    .unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn can_i_answers_yes_with_the_rule_and_binding_and_exits_0() {
    let o = kubeharden(
        &[
            "can-i",
            "list",
            "pods",
            "--as",
            "system:serviceaccount:shop:web",
            "-n",
            "shop",
            SHOP,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("yes\n"), "{out}");
    assert!(
        out.contains("ClusterRole view, aggregated from ClusterRole system:aggregate-to-view"),
        "{out}"
    );
    assert!(
        out.contains("policies/data/bootstrap-cluster-roles.yaml:"),
        "{out}"
    );
    assert!(out.contains("(built in)"), "{out}");
    let binding = format!(
        "RoleBinding shop/web-view to ServiceAccount shop/web at {SHOP}:{}:",
        line_of("name: web-view") + 1
    );
    assert!(out.contains(&binding), "{out}\nwanted {binding}");
}

#[test]
fn can_i_answers_no_and_exits_1() {
    for (args, why) in [
        (
            vec![
                "get",
                "secrets",
                "--as",
                "system:serviceaccount:shop:web",
                "-n",
                "shop",
            ],
            "view reads no Secrets",
        ),
        (
            vec![
                "list",
                "pods",
                "--as",
                "system:serviceaccount:shop:web",
                "-n",
                "other",
            ],
            "only in shop",
        ),
        (
            vec![
                "list",
                "pods",
                "--as",
                "system:serviceaccount:shop:web",
                "-A",
            ],
            "not across namespaces",
        ),
        (
            vec![
                "get",
                "nodes",
                "--as",
                "system:serviceaccount:ops:deployer",
                "-n",
                "shop",
            ],
            "nodes are cluster-scoped",
        ),
        (
            vec![
                "create",
                "pods",
                "--subresource",
                "exec",
                "--as",
                "bob",
                "-n",
                "shop",
            ],
            "bob has nothing",
        ),
    ] {
        let mut all = vec!["can-i"];
        all.extend(args);
        all.push(SHOP);
        let o = kubeharden(&all, None);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{why}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stdout(&o).starts_with("no\n"), "{why}");
    }
}

#[test]
fn can_i_follows_the_kubectl_grammar() {
    let yes = |args: &[&str]| {
        let mut all = vec!["can-i"];
        all.extend_from_slice(args);
        all.push(SHOP);
        kubeharden(&all, None).status.code()
    };
    // RESOURCE.GROUP, the preferred group, a name, a subresource, a URL, -A, --as-group.
    assert_eq!(
        yes(&[
            "create",
            "deployments.apps",
            "--as",
            "system:serviceaccount:ops:deployer",
            "-n",
            "shop"
        ]),
        Some(0)
    );
    assert_eq!(
        yes(&[
            "create",
            "deployments",
            "--as",
            "system:serviceaccount:ops:deployer",
            "-n",
            "shop"
        ]),
        Some(0)
    );
    assert_eq!(
        yes(&[
            "get",
            "secrets/tls",
            "--as",
            "system:serviceaccount:ops:deployer",
            "-n",
            "shop"
        ]),
        Some(0)
    );
    assert_eq!(
        yes(&["create", "pods", "--subresource", "exec", "--as", "alice"]),
        Some(0)
    );
    assert_eq!(yes(&["get", "/metrics", "--as", "alice"]), Some(0));
    assert_eq!(
        yes(&["get", "/metrics", "--as", "system:serviceaccount:shop:web"]),
        Some(1)
    );
    assert_eq!(
        yes(&[
            "list",
            "nodes",
            "-A",
            "--as",
            "nobody",
            "--as-group",
            "system:masters"
        ]),
        Some(0)
    );
    // -q prints nothing.
    let o = kubeharden(
        &["can-i", "-q", "list", "pods", "--as", "alice", SHOP],
        None,
    );
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
}

#[test]
fn can_i_usage_errors_exit_2() {
    let o = kubeharden(&["can-i", "list", "pods", SHOP], None);
    assert_eq!(o.status.code(), Some(2), "--as is required");
    assert!(stderr(&o).contains("--as"), "{}", stderr(&o));
    let o = kubeharden(&["can-i", "list", "gadgets", "--as", "x", SHOP], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("RESOURCE.GROUP"), "{}", stderr(&o));
    let o = kubeharden(
        &["can-i", "list", "pods", "--as", "x", "missing.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn can_i_json_carries_the_locations() {
    let o = kubeharden(
        &[
            "can-i",
            "create",
            "deployments",
            "--as",
            "system:serviceaccount:ops:deployer",
            "-n",
            "shop",
            "--format",
            "json",
            SHOP,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["allowed"], true);
    let g = &v["grants"][0];
    assert_eq!(g["role"], "ClusterRole edit");
    assert_eq!(g["aggregated_from"], "ClusterRole system:aggregate-to-edit");
    assert_eq!(g["rule_at"]["built_in"], true);
    assert_eq!(g["subject_at"]["file"], SHOP);
    assert_eq!(g["subject_at"]["line"], line_of("name: deployer-edit") + 1);
    assert_eq!(g["scope"]["namespace"], "shop");
}

#[test]
fn can_i_reads_standard_input() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/access/shop.yaml"
    ))
    .unwrap();
    let o = kubeharden(
        &["can-i", "delete", "nodes", "--as", "alice", "-"],
        Some(&text),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("<stdin>:"), "{}", stdout(&o));
}

#[test]
fn who_can_lists_subjects_with_grants() {
    let o = kubeharden(&["who-can", "get", "secrets", "-n", "shop", SHOP], None);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("\nServiceAccount ops/deployer\n"), "{out}");
    assert!(out.contains("\nUser alice\n"), "{out}");
    assert!(
        out.contains("\nGroup system:masters\n"),
        "built-in binding: {out}"
    );
    assert!(!out.contains("ServiceAccount shop/web\n"), "{out}");
    let o = kubeharden(
        &[
            "who-can",
            "get",
            "secrets",
            "-n",
            "shop",
            "--bundle-only",
            SHOP,
        ],
        None,
    );
    assert!(!stdout(&o).contains("system:masters"));
    let o = kubeharden(
        &[
            "who-can", "get", "secrets", "-n", "shop", "--format", "markdown", SHOP,
        ],
        None,
    );
    assert!(
        stdout(&o).contains("| Subject | Binding | Role | Rule |"),
        "{}",
        stdout(&o)
    );
    let o = kubeharden(
        &["who-can", "get", "secrets", "--format", "json", SHOP],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let subjects: Vec<String> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subject"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        subjects.contains(&"alice".to_string()) && !subjects.contains(&"deployer".to_string()),
        "{subjects:?}"
    );
}

#[test]
fn access_ranks_subjects_and_marks_dangerous_permissions() {
    let o = kubeharden(&["access", SHOP], None);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let alice = out.find("User alice").unwrap();
    let deployer = out.find("ServiceAccount ops/deployer").unwrap();
    let web = out.find("ServiceAccount shop/web").unwrap();
    assert!(
        alice < deployer && deployer < web,
        "most dangerous first: {out}"
    );
    assert!(out.contains("! read Secrets"), "{out}");
    let o = kubeharden(&["access", "--format", "markdown", SHOP], None);
    let md = stdout(&o);
    assert!(
        md.starts_with("| Subject | ⚠ every verb on every resource (*) |"),
        "{md}"
    );
    assert!(md.contains("| User alice | **cluster** |"), "{md}");
    let o = kubeharden(&["access", "--format", "json", SHOP], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["subjects"][0]["subject"]["name"], "alice");
    assert_eq!(v["permissions"][0]["id"], "everything");
}

#[test]
fn reach_answers_one_connection_with_exit_status() {
    let one = |from: &str, to: &str, port: Option<&str>| {
        let mut args = vec!["reach", "--from", from, "--to", to, SHOP];
        if let Some(p) = port {
            args.extend(["--port", p]);
        }
        let o = kubeharden(&args, None);
        (o.status.code(), stdout(&o))
    };
    let (code, out) = one("shop/web", "shop/db", Some("5432"));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!(
            "allowed by NetworkPolicy shop/db-from-web at {SHOP}:{}:",
            line_of("from: [{podSelector: {matchLabels: {app: web}}}]")
        )),
        "{out}"
    );
    assert_eq!(
        one("shop/db", "shop/web", Some("8080")).0,
        Some(0),
        "db's egress is open, web's ingress too"
    );
    assert_eq!(one("shop/web", "shop/db", Some("80")).0, Some(1));
    assert_eq!(one("shop/web", "metadata", None).0, Some(1));
    assert_eq!(one("shop/web", "dns", None).0, Some(0));
    assert_eq!(one("shop/web", "internet", Some("443")).0, Some(0));
    assert_eq!(
        one("shop/web", "kubelet", None).0,
        Some(1),
        "port 443 only: the kubelet's 10250 is not allowed"
    );
    assert_eq!(one("internet", "shop/db", Some("5432")).0, Some(1));
    let (code, _) = one("metadata", "shop/db", None);
    assert_eq!(code, Some(2), "metadata is a destination only");
    let (code, _) = one("shop/nope", "shop/db", None);
    assert_eq!(code, Some(2));
}

#[test]
fn reach_prints_matrices_in_every_format() {
    let o = kubeharden(&["reach", "-n", "shop", "--port", "5432", SHOP], None);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("namespace shop (TCP 5432)"), "{out}");
    assert!(out.contains("[4] metadata"), "{out}");
    let md = stdout(&kubeharden(&["reach", "--format", "markdown", SHOP], None));
    assert!(
        md.contains("| from \\ to | Deployment web | Deployment db | internet | metadata |"),
        "{md}"
    );
    let mm = stdout(&kubeharden(
        &["reach", "--format", "mermaid", "--port", "5432", SHOP],
        None,
    ));
    assert!(mm.starts_with("flowchart LR\n"), "{mm}");
    assert!(mm.contains("n0d0 --> n0d1"), "web → db on 5432: {mm}");
    assert!(
        !mm.contains("n0d0 --> n0d3"),
        "web → metadata is denied: {mm}"
    );
    let dot = stdout(&kubeharden(
        &["reach", "--format", "dot", "--port", "5432", SHOP],
        None,
    ));
    assert!(dot.starts_with("digraph reach {"), "{dot}");
    assert!(
        dot.contains("n0_0 -> n0_1 [style=solid];"),
        "web → db: {dot}"
    );
    assert!(
        !dot.contains("n0_0 -> n0_3 "),
        "web → metadata is denied: {dot}"
    );
    let js = stdout(&kubeharden(&["reach", "--format", "json", SHOP], None));
    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    let m = &v["namespaces"][0];
    assert_eq!(m["namespace"], "shop");
    assert_eq!(m["cells"][0][3]["verdict"], "denied", "web → metadata");
    assert_eq!(
        m["cells"][2][4],
        serde_json::Value::Null,
        "internet → outside has no cell"
    );
}

#[test]
fn reach_with_one_end_lists_everything_across_namespaces() {
    let o = kubeharden(&["reach", "--to", "shop/db", "--port", "5432", SHOP], None);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("what can reach Deployment shop/db"),
        "{out}"
    );
    assert!(
        out.contains(
            "  ✓ Deployment shop/web on TCP 5432  (allowed by NetworkPolicy shop/db-from-web"
        ),
        "{out}"
    );
    assert!(out.contains("  ✗ internet on TCP 5432"), "{out}");
    let o = kubeharden(
        &["reach", "--from", "shop/web", "--format", "json", SHOP],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let verdict = |to: &str| {
        v["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["to"] == to)
            .map(|a| a["verdict"].as_str().unwrap().to_string())
    };
    assert_eq!(verdict("metadata").as_deref(), Some("denied"));
    assert_eq!(verdict("dns").as_deref(), Some("allowed"));
    assert_eq!(verdict("Deployment shop/db").as_deref(), Some("allowed"));
}

/// `can-i --list` is `kubectl auth can-i --list`: every permission of the user in the
/// namespace, one line per resource (`resource[.group]`) or URL with its verbs (kubectl's
/// BreakdownRule/CompactRules over a SelfSubjectRulesReview). web is bound to view in shop,
/// which gathers system:aggregate-to-view (`get, list, watch` on pods, no Secrets), and every
/// authenticated user holds system:basic-user (create selfsubjectaccessreviews) and
/// system:discovery (get /api) through the bootstrap ClusterRoleBindings. In another
/// namespace the RoleBinding does not apply. alice's cluster-admin is `*.*` and the URL `*`.
#[test]
fn can_i_list_prints_every_permission_with_its_grant() {
    let web = ["--as", "system:serviceaccount:shop:web", SHOP];
    let o = kubeharden(
        &[
            &["can-i", "--list", "-n", "shop", "--format", "json"][..],
            &web[..],
        ]
        .concat(),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let perms = v["permissions"].as_array().unwrap();
    let line = |res: &str, url: &str| {
        perms
            .iter()
            .find(|p| p["resource"] == res && p["non_resource_url"] == url)
            .cloned()
    };
    let pods = line("pods", "").expect("view lists pods");
    assert_eq!(pods["verbs"], serde_json::json!(["get", "list", "watch"]));
    let g = &pods["grants"][0];
    assert_eq!(g["binding"], "RoleBinding shop/web-view");
    assert_eq!(g["binding_at"]["line"], line_of("name: web-view") + 2);
    assert_eq!(g["rule_at"]["built_in"], true);
    assert!(line("secrets", "").is_none(), "view does not read Secrets");
    assert!(line("selfsubjectaccessreviews.authorization.k8s.io", "").is_some());
    assert!(line("", "/api").is_some());
    let o = kubeharden(
        &[&["can-i", "--list", "-n", "other"][..], &web[..]].concat(),
        None,
    );
    let text = stdout(&o);
    assert!(text.starts_with("Resources "), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("pods ")), "{text}");
    assert!(text.contains("selfsubjectaccessreviews.authorization.k8s.io"));
    let o = kubeharden(
        &["can-i", "--list", "--no-headers", "--as", "alice", SHOP],
        None,
    );
    let text = stdout(&o);
    assert!(
        text.lines().any(|l| l.starts_with("*.* ")
            && l.contains("[*]")
            && l.contains("ClusterRoleBinding alice-admin")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("[*]")),
        "{text}"
    );
    assert!(!text.contains("Resources "));
}

/// The line of `needle` in a built-in data file, 1-based.
fn data_line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(format!(
        "{}/policies/data/{file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

/// The bootstrap policy's Roles and RoleBindings of kube-system (namespace_policy.go) are
/// known without the bundle: the token cleaner deletes Secrets in kube-system through the
/// Role and RoleBinding `system:controller:token-cleaner`, each printed at its place in
/// `policies/data/` with `(built in)`; in shop it cannot (exit 1).
#[test]
fn can_i_knows_the_built_in_roles_of_kube_system() {
    let args = |ns: &'static str| {
        [
            "can-i",
            "delete",
            "secrets",
            "--as",
            "system:serviceaccount:kube-system:token-cleaner",
            "-n",
            ns,
            SHOP,
        ]
    };
    let o = kubeharden(&args("kube-system"), None);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("yes\n"), "{out}");
    let rule = format!(
        "rule 1 of Role kube-system/system:controller:token-cleaner at \
         policies/data/bootstrap-namespace-roles.yaml:{}:5 (built in)",
        data_line_of(
            "bootstrap-namespace-roles.yaml",
            "resources: [secrets], verbs: [delete"
        )
    );
    assert!(out.contains(&rule), "{out}\nwanted {rule}");
    let binding = format!(
        "bound in namespace kube-system by RoleBinding kube-system/system:controller:token-cleaner \
         to ServiceAccount kube-system/token-cleaner at \
         policies/data/bootstrap-namespace-role-bindings.yaml:{}:5 (built in)",
        data_line_of(
            "bootstrap-namespace-role-bindings.yaml",
            "name: token-cleaner, namespace: kube-system"
        )
    );
    assert!(out.contains(&binding), "{out}\nwanted {binding}");
    let o = kubeharden(&args("shop"), None);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).starts_with("no"), "{}", stdout(&o));
}

/// `who-can list secrets -n kube-system` names the controllers' ServiceAccounts the
/// bootstrap ClusterRoleBindings bind (controller-role-bindings.yaml: the garbage collector,
/// the namespace and resource-quota controllers, whose roles list `*`), with their built-in
/// places, next to the bundle's alice and the built-in system:masters.
#[test]
fn who_can_lists_the_built_in_controller_service_accounts() {
    let o = kubeharden(
        &["who-can", "list", "secrets", "-n", "kube-system", SHOP],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    for sa in [
        "generic-garbage-collector",
        "namespace-controller",
        "resourcequota-controller",
    ] {
        assert!(
            out.lines()
                .any(|l| l == format!("ServiceAccount kube-system/{sa}")),
            "{sa}: {out}"
        );
        let bound = format!(
            "bound cluster-wide by ClusterRoleBinding system:controller:{sa} to ServiceAccount \
             kube-system/{sa} at policies/data/bootstrap-controller-role-bindings.yaml:{}:5 (built in)",
            data_line_of(
                "bootstrap-controller-role-bindings.yaml",
                &format!("name: {sa}, namespace: kube-system")
            )
        );
        assert!(out.contains(&bound), "{out}\nwanted {bound}");
    }
    assert!(
        out.contains("ServiceAccount kube-system/token-cleaner\n"),
        "{out}"
    );
    assert!(out.contains("User alice\n") && out.contains("Group system:masters\n"));
    assert!(!out.contains("deployment-controller"), "{out}");
}

#[test]
fn reach_on_manifests_without_workloads_says_so() {
    // A Role alone: no workload, so no matrix; said rather than an empty output.
    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: shop}\nrules: []\n";
    for format in ["human", "markdown"] {
        let o = kubeharden(&["reach", "--format", format, "-"], Some(role));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.starts_with("No workloads in the manifests: no reachability to show.\n"),
            "{out}"
        );
    }
}

const REJECTED_CRB: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: broken}
subjects:
- {kind: ServiceAccount, name: web}
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}
";

/// pkg/apis/rbac/validation/validation.go `ValidateRoleBindingSubject`: a ClusterRoleBinding's
/// ServiceAccount subject needs a namespace, so the API server rejects the binding and it
/// grants nothing. can-i, who-can and access say so in every format (they said nothing).
#[test]
fn a_rejected_cluster_role_binding_is_said_by_every_command() {
    let note = "ClusterRoleBinding broken names ServiceAccount web without a namespace";
    let o = kubeharden(
        &[
            "can-i",
            "delete",
            "secrets",
            "--as",
            "system:serviceaccount:shop:web",
            "-n",
            "shop",
            "-",
        ],
        Some(REJECTED_CRB),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("  note: {note}")),
        "{}",
        stdout(&o)
    );
    let o = kubeharden(
        &[
            "can-i", "delete", "secrets", "--as", "alice", "--format", "json", "-",
        ],
        Some(REJECTED_CRB),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["notes"][0].as_str().unwrap().starts_with(note), "{v}");
    for (format, prefix) in [("human", "note: "), ("markdown", "\nNote: ")] {
        for command in ["who-can", "access"] {
            let mut args = vec![command];
            if command == "who-can" {
                args.extend(["delete", "secrets", "-n", "shop"]);
            }
            args.extend(["--format", format, "-"]);
            let o = kubeharden(&args, Some(REJECTED_CRB));
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let out = stdout(&o);
            assert!(
                out.contains(&format!("{prefix}{note}")),
                "{command} {format}: {out}"
            );
            assert!(!out.contains("User alice\n"), "{command} {format}: {out}");
        }
    }
    for command in [&["who-can", "delete", "secrets"][..], &["access"]] {
        let mut args = command.to_vec();
        args.extend(["--format", "json", "-"]);
        let o = kubeharden(&args, Some(REJECTED_CRB));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(
            v["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().starts_with(note)),
            "{v}"
        );
    }
}

/// A repeated `rules:` key: the API server keeps the last value (fieldValidation Warn and
/// Ignore, k8s.io/apimachinery pkg/apis/meta/v1/types.go) or rejects the object (Strict);
/// can-i answers from the last one and says so, with the places.
#[test]
fn can_i_says_when_it_reads_past_a_repeated_key() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- {apiGroups: [''], resources: [secrets], verbs: [get]}
rules:
- {apiGroups: [''], resources: [pods], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
subjects: [{kind: User, name: ann, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: reader, apiGroup: rbac.authorization.k8s.io}
";
    let o = kubeharden(&["can-i", "get", "secrets", "--as", "ann", "-"], Some(yaml));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("note: ClusterRole reader repeats the key \"rules\" (/rules) at <stdin>:6:1 (first at <stdin>:4:1)"),
        "{out}"
    );
    let o = kubeharden(&["access", "-"], Some(yaml));
    assert!(
        stdout(&o).contains("repeats the key \"rules\""),
        "{}",
        stdout(&o)
    );
}

const OPS_NAMESPACE_PATCHER: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ns-patcher}
rules:
- {apiGroups: [''], resources: [namespaces], verbs: [patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: erin, namespace: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-patcher}
subjects: [{kind: User, name: erin, apiGroup: rbac.authorization.k8s.io}]
";

/// kubectl auth can-i sends `-n ops` in its SelfSubjectAccessReview even for the
/// cluster-scoped `namespaces`, warning "Warning: resource 'namespaces' is not namespace
/// scoped" on standard error, and the RBAC authorizer visits ops' RoleBindings
/// (plugin/pkg/auth/authorizer/rbac/rbac.go, VisitRulesFor): yes. The note says that a real
/// request carries no namespace except for the namespace object NAME
/// (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), so the grant takes
/// effect only for namespaces/ops. kubeharden said no.
#[test]
fn can_i_answers_the_access_review_kubectl_sends_for_a_cluster_scoped_resource() {
    let o = kubeharden(
        &[
            "can-i",
            "patch",
            "namespaces",
            "-n",
            "ops",
            "--as",
            "erin",
            "-",
        ],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("yes\n"), "{out}");
    assert!(
        stderr(&o).starts_with("Warning: resource 'namespaces' is not namespace scoped\n"),
        "{}",
        stderr(&o)
    );
    assert!(out.contains("requestinfo.go"), "{out}");
    assert!(
        out.contains("RoleBinding ops/erin takes effect only for namespaces/ops"),
        "{out}"
    );
    // In another namespace the review visits that namespace's RoleBindings: no.
    let o = kubeharden(
        &["can-i", "patch", "namespaces", "--as", "erin", "-"],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    // Across all namespaces kubectl sends none, and does not warn.
    let o = kubeharden(
        &["can-i", "patch", "namespaces", "-A", "--as", "erin", "-"],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("Warning"), "{}", stderr(&o));
    // -q prints nothing.
    let o = kubeharden(
        &[
            "can-i",
            "patch",
            "namespaces",
            "-n",
            "ops",
            "-q",
            "--as",
            "erin",
            "-",
        ],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "");
    // A non-core group names it.
    let o = kubeharden(
        &[
            "can-i",
            "get",
            "clusterroles",
            "-n",
            "ops",
            "--as",
            "erin",
            "-",
        ],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert!(
        stderr(&o).starts_with(
            "Warning: resource 'clusterroles' is not namespace scoped in group 'rbac.authorization.k8s.io'\n"
        ),
        "{}",
        stderr(&o)
    );
    // who-can and access stay on real requests: the namespace object by name.
    let o = kubeharden(
        &["who-can", "patch", "namespaces", "-n", "ops", "-"],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert!(!stdout(&o).contains("User erin"), "{}", stdout(&o));
    let o = kubeharden(
        &["who-can", "patch", "namespaces/ops", "-"],
        Some(OPS_NAMESPACE_PATCHER),
    );
    assert!(stdout(&o).contains("User erin"), "{}", stdout(&o));
}

/// A RoleBinding to a Role that exists nowhere grants nothing until the role exists
/// (pkg/registry/rbac/validation/rule.go `GetRoleReferenceRules`); `access` says so under
/// the subject's row and in JSON and Markdown (it printed just "nothing").
#[test]
fn access_says_when_a_binding_references_a_missing_role() {
    let yaml = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: a}
subjects: [{kind: User, name: ann}]
roleRef: {kind: Role, name: x, apiGroup: rbac.authorization.k8s.io}
";
    let note = "RoleBinding a/reader names ann but references Role x, which is neither in the bundle nor built in: it grants nothing until that role exists";
    let o = kubeharden(&["access", "-"], Some(yaml));
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "\nUser ann (0 dangerous)\n  nothing\n  note: {note}\n"
        )),
        "{out}"
    );
    assert_eq!(out.matches(note).count(), 1, "once, under its row: {out}");
    let o = kubeharden(&["access", "--format", "markdown", "-"], Some(yaml));
    assert!(
        stdout(&o).contains(&format!("\nNote: {note}")),
        "{}",
        stdout(&o)
    );
    let o = kubeharden(&["access", "--format", "json", "-"], Some(yaml));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["notes"][0], note);
    let row = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"]["name"] == "ann")
        .unwrap();
    assert_eq!(row["notes"][0], note);
}

/// `kubeharden reach --kube-version`: below v1.22 the API server drops `endPort`
/// (NetworkPolicyEndPort off by default in v1.21, the field absent before;
/// pkg/registry/networking/networkpolicy/strategy.go `PrepareForCreate`), so a port range
/// allows only its first port, and every format says so.
#[test]
fn reach_drops_end_port_below_v1_22_and_says_so() {
    let yaml = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ports: [{port: 79, endPort: 81}]}]
";
    let one = ["reach", "--from", "shop/web", "--to", "metadata"];
    let with = |version: &str, extra: &[&str]| {
        let mut args = one.to_vec();
        args.extend(["--kube-version", version]);
        args.extend(extra);
        args.push("-");
        kubeharden(&args, Some(yaml))
    };
    let o = with("1.21", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("note: NetworkPolicy shop/out: port 79 with endPort 81 at <stdin>:15:21 allows only port 79 at v1.21"),
        "{}",
        stdout(&o)
    );
    let o = with("1.22", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("note:"), "{}", stdout(&o));
    let o = with("1.20", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["verdict"], "denied");
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("NetworkPolicyEndPort"));
    let o = kubeharden(
        &[
            "reach",
            "-n",
            "shop",
            "--kube-version",
            "1.20",
            "--format",
            "markdown",
            "-",
        ],
        Some(yaml),
    );
    assert!(
        stdout(&o).contains("\nNote: NetworkPolicy shop/out: port 79"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn can_i_reads_type_slash_name_as_kubectl_and_says_when_the_name_looks_like_a_subresource() {
    // kubectl auth can-i (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go) splits RESOURCE
    // at its first "/" into TYPE and NAME: `pods/exec` asks about the pod named "exec",
    // never the exec subresource, which only `--subresource` names. A Role allowing only
    // `pods/exec` (the RBAC authorizer matches "pods/exec" in `resources` against the
    // request's resource/subresource, plugin/pkg/auth/authorizer/rbac/rbac.go) answers no
    // to the first and yes to the second.
    let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: exec, namespace: shop}\nrules:\n- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: exec, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}\nsubjects:\n- {kind: User, name: bob}\n";
    let o = kubeharden(
        &[
            "can-i",
            "create",
            "pods/exec",
            "--as",
            "bob",
            "-n",
            "shop",
            "-",
        ],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(stdout(&o), "no\n");
    assert!(
        stderr(&o).contains(
            "kubeharden: note: pods/exec names the object \"exec\" of pods, as kubectl reads TYPE/NAME; for the exec subresource, give exec as the subresource (kubectl: --subresource exec)"
        ),
        "{}",
        stderr(&o)
    );
    let o = kubeharden(
        &[
            "can-i",
            "create",
            "pods",
            "--subresource",
            "exec",
            "--as",
            "bob",
            "-n",
            "shop",
            "-",
        ],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stderr(&o), "");
    // An empty NAME is a usage error, not a question about nothing ("/" alone is the
    // non-resource URL "/").
    let o = kubeharden(&["can-i", "get", "pods/", "--as", "bob", "-"], Some(text));
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("is not TYPE[.GROUP][/NAME]"),
        "{}",
        stderr(&o)
    );
}

/// `--apply-namespace` puts every namespaced object without `metadata.namespace` in the
/// namespace, workloads and NetworkPolicies alike, as `kubectl apply -n prod` does
/// (staging/src/k8s.io/cli-runtime/pkg/resource/builder.go: the default namespace is set
/// on every namespaced object of the input that names none; a NetworkPolicy applies to
/// the pods of its own namespace, k8s.io/api networking/v1/types.go). A default-deny
/// policy (podSelector {}, both policy types) then denies every connection of web.
#[test]
fn reach_applies_the_namespace_to_workloads_and_policies_without_one() {
    let deploy = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, NS}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";
    for ns in ["namespace: prod", "labels: {}"] {
        let text = deploy.replace("NS", ns);
        let o = kubeharden(&["reach", "--apply-namespace", "prod", "-"], Some(&text));
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
        let out = stdout(&o);
        assert!(out.starts_with("namespace prod ("), "{out}");
        assert!(!out.contains("without a namespace"), "{out}");
        assert!(!out.lines().skip(1).any(|l| l.contains('✓')), "{out}");
        assert!(
            out.contains("Deployment web   ✗   ✗   ✗   ✗   ✗   ✗"),
            "{out}"
        );
        for to in ["internet", "metadata", "dns"] {
            let o = kubeharden(
                &[
                    "reach",
                    "--apply-namespace",
                    "prod",
                    "--from",
                    "prod/web",
                    "--to",
                    to,
                    "-",
                ],
                Some(&text),
            );
            assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
            assert!(
                stdout(&o).contains("isolated by NetworkPolicy prod/deny"),
                "{}",
                stdout(&o)
            );
        }
        let o = kubeharden(
            &[
                "reach",
                "--apply-namespace",
                "prod",
                "--from",
                "internet",
                "--to",
                "web",
                "-n",
                "prod",
                "-",
            ],
            Some(&text),
        );
        assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    }
}

/// `access` names the Roles nothing binds under the matrix, with their places, beside
/// other rows (a role grants nothing until a binding references it: RBAC docs,
/// "RoleBinding and ClusterRoleBinding").
#[test]
fn access_names_unbound_roles_beside_other_rows() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lonely, namespace: x}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
";
    let o = kubeharden(&["access", "-"], Some(text));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("User alice"), "{out}");
    assert!(
        out.contains("note: Role x/lonely at <stdin>:1:1 is unbound"),
        "{out}"
    );
    let o = kubeharden(&["access", "--format", "json", "-"], Some(text));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["unbound_roles"][0]["role"], "Role x/lonely");
}

/// kubectl auth can-i warns on standard error about a verb it does not know, and still
/// asks (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go `Validate`: `resourceVerbs`,
/// `nonResourceURLVerbs`, "verb '%s' is not a known verb"); an empty VERB is a usage
/// error (exit 2), not a question; an unknown type is said as what it is (the model has
/// no server: built-in types and the manifests' CRDs), with RESOURCE.GROUP as the form.
#[test]
fn can_i_warns_about_unknown_verbs_and_refuses_an_empty_one() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: view, apiGroup: rbac.authorization.k8s.io}
";
    let o = kubeharden(
        &["can-i", "frobnicate", "pods", "--as", "alice", "-"],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "no\n");
    assert!(
        stderr(&o).contains("Warning: verb 'frobnicate' is not a known verb\n"),
        "{}",
        stderr(&o)
    );
    // `post` is a verb of non-resource URLs, not of resources; `sign` one of resources.
    let o = kubeharden(
        &["can-i", "post", "/metrics", "--as", "alice", "-"],
        Some(text),
    );
    assert_eq!(stderr(&o), "");
    let o = kubeharden(&["can-i", "post", "pods", "--as", "alice", "-"], Some(text));
    assert!(stderr(&o).contains("Warning: verb 'post' is not a known verb"));
    let o = kubeharden(&["can-i", "get", "pods", "--as", "alice", "-"], Some(text));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    let o = kubeharden(&["can-i", "", "pods", "--as", "alice", "-"], Some(text));
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("VERB is empty"), "{}", stderr(&o));
    let o = kubeharden(
        &["can-i", "get", "metrics", "--as", "alice", "-"],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(!e.contains("server"), "{e}");
    assert!(
        e.contains("\"metrics\" is neither a built-in resource type nor a custom resource the manifests define")
            && e.contains("RESOURCE.GROUP, for example widgets.example.com"),
        "{e}"
    );
    // One subject is "1 subject".
    let o = kubeharden(&["access", "-"], Some(text));
    assert!(
        stdout(&o).starts_with("1 subject × 20 permissions"),
        "{}",
        stdout(&o)
    );
}

/// `reach -n NS` gives the namespace of NAME and KIND/NAME; a workload written as NS/NAME
/// keeps its own, and the CLI says so on standard error instead of ignoring -n silently.
#[test]
fn reach_says_when_n_does_not_apply() {
    let text = "apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: a}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: x}]}
";
    let o = kubeharden(
        &[
            "reach", "--from", "internet", "--to", "a/api", "-n", "b", "-",
        ],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains(
            "kubeharden: note: -n b does not apply to \"a/api\", which names its namespace: the answer is for Deployment a/api"
        ),
        "{}",
        stderr(&o)
    );
    let o = kubeharden(
        &["reach", "--from", "internet", "--to", "api", "-n", "a", "-"],
        Some(text),
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

/// A reach query without --port asks whether some port is allowed (a rule's `ports`
/// limit it: k8s.io/api networking/v1 types.go NetworkPolicyPort), so the human output
/// says "on some port", not "on any port", when only 5432 is open; the JSON keeps "any".
#[test]
fn reach_without_a_port_says_some_port() {
    let text = "apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - ports: [{port: 5432}]
";
    let one = ["reach", "--from", "shop/web", "--to", "shop/db", "-"];
    let o = kubeharden(&one, Some(text));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("Deployment shop/web → Deployment shop/db on some port: allowed"),
        "{out}"
    );
    // Which ports, when the allowing rule lists them.
    assert!(
        out.contains("allowed by NetworkPolicy shop/db at <stdin>:23:5 (on TCP 5432)"),
        "{out}"
    );
    let o = kubeharden(&["reach", "--to", "shop/db", "-"], Some(text));
    assert!(
        stdout(&o).contains("(allowed by NetworkPolicy shop/db at <stdin>:23:5, on TCP 5432)"),
        "{}",
        stdout(&o)
    );
    // With --port, the port is the question's and is not repeated.
    let o = kubeharden(&[&one[..4], &["--port", "5432", "-"]].concat(), Some(text));
    assert!(!stdout(&o).contains("(on TCP"), "{}", stdout(&o));
    for args in [
        vec!["reach", "-"],
        vec!["reach", "--to", "shop/db", "-"],
        vec!["reach", "--format", "markdown", "-"],
    ] {
        let o = kubeharden(&args, Some(text));
        let out = stdout(&o);
        assert!(
            !out.contains("any port") && out.contains("some port"),
            "{out}"
        );
    }
    let o = kubeharden(
        &[&["reach", "--format", "json"][..], &one[1..]].concat(),
        Some(text),
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["port"], "any");
}

/// `who-can get secrets -n x` on a RoleBinding without metadata.namespace: the binding is
/// in the namespace the manifests are applied to (cli-runtime resource/builder.go
/// DefaultNamespace), unknown here, so its subjects are not counted and the note `can-i`
/// gives says why (already so on main before this branch; kept as a regression test).
#[test]
fn who_can_notes_a_role_binding_without_a_namespace() {
    let text = "apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: nons}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
roleRef: {kind: ClusterRole, name: edit, apiGroup: rbac.authorization.k8s.io}
";
    let note = "note: RoleBinding nons has no metadata.namespace: it grants in the namespace the manifests are applied to";
    let o = kubeharden(&["who-can", "get", "secrets", "-n", "x", "-"], Some(text));
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("carol"), "{}", stdout(&o));
    assert!(stdout(&o).contains(note), "{}", stdout(&o));
    let o = kubeharden(
        &[
            "who-can",
            "get",
            "secrets",
            "-n",
            "x",
            "--apply-namespace",
            "x",
            "-",
        ],
        Some(text),
    );
    assert!(stdout(&o).contains("User carol"), "{}", stdout(&o));
}
