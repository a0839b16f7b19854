//! The Access view's data (pure: no web-sys, tested natively by `tests/playground_state.rs`):
//! the RBAC matrix of the text (subjects as rows, grouped permissions as columns, dangerous
//! ones marked) from the library's access model ([`kubeharden::access::rbac`], with the API
//! server's bootstrap roles), and the can-i box's answer. Every place is given as the editor
//! selects it: UTF-16 offsets and a 1-based line.
//!
//! Everything is computed from the text alone (one source, `manifest.yaml`). Used by the
//! view (`access_view.rs`) in the playground's extras (src/web/extras_main.rs).

use kubeharden::access::rbac::Grant;
use kubeharden::access::{with_bundle, Access, AccessOptions, At, Bootstrap, Origin, User};
use kubeharden::source::LineIndex;
use kubeharden::yaml::{Limits, ParseError};
use kubeharden::{KubeVersion, Source};

/// The UTF-16 offset of byte `at` of `text` (the editor's positions).
pub fn utf16(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[..at].encode_utf16().count()
}

/// The 1-based line of byte `at` of `text` (any offset: one past the end is the last line).
pub fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A YAML error of the text, as the Findings tab lists it: its document (1-based), line and
/// column (1-based), message, and its UTF-16 range for a click that selects it.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlErrorView {
    pub document: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub from: usize,
    pub to: usize,
}

impl YamlErrorView {
    /// `YAML error in document 1 at line 3, column 5: …`, the Findings tab's words.
    pub fn text(&self) -> String {
        format!(
            "YAML error in document {} at line {}, column {}: {}",
            self.document, self.line, self.column, self.message
        )
    }
}

/// The YAML errors `with_bundle` gave for the text, in order.
pub fn yaml_errors(text: &str, errors: &[(usize, ParseError)]) -> Vec<YamlErrorView> {
    let index = LineIndex::new(text);
    errors
        .iter()
        .map(|(_, e)| {
            let start = index.position(text, e.span.start.min(text.len()));
            let end = index.position(text, e.span.end.max(e.span.start).min(text.len()));
            YamlErrorView {
                document: e.document + 1,
                line: start.line,
                column: start.column,
                message: e.message.clone(),
                from: start.utf16_offset,
                to: end.utf16_offset,
            }
        })
        .collect()
}

/// A place of the text as the editor selects it (UTF-16 range) and its 1-based line;
/// `None` for a place in the built-in data.
fn range(text: &str, at: &At) -> Option<(usize, usize, usize)> {
    match at.origin {
        Origin::Bundle(_) => {
            let (from, to) = (at.span.start, at.span.end.max(at.span.start));
            let line = line_of(text, from);
            Some((utf16(text, from), utf16(text, to), line))
        }
        Origin::BuiltIn(_) => None,
    }
}

/// One grant as the tab shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantView {
    /// `RoleBinding shop/x → ClusterRole edit, rule 3 (of system:aggregate-to-edit)`.
    pub text: String,
    /// The rule, when it is in the text: (from, to, line).
    pub rule: Option<(usize, usize, usize)>,
    /// The binding's roleRef: (from, to, line).
    pub binding: Option<(usize, usize, usize)>,
    /// The role is built in (the bootstrap policy).
    pub built_in: bool,
}

impl GrantView {
    fn new(text: &str, g: &Grant) -> GrantView {
        let role = match &g.aggregated_from {
            Some(from) => format!("{}, rule {} of {from}", g.role, g.rule_index + 1),
            None => format!("{}, rule {}", g.role, g.rule_index + 1),
        };
        let rule = range(text, &g.rule_at);
        GrantView {
            text: format!("{} → {role} ({})", g.binding, g.scope.text()),
            built_in: rule.is_none(),
            rule,
            binding: range(text, &g.binding_at),
        }
    }

    /// Where a click on the grant goes: the rule, else the binding.
    pub fn target(&self) -> Option<(usize, usize, usize)> {
        self.rule.or(self.binding)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CellView {
    pub granted: bool,
    /// `cluster`, `shop`, `shop (only db-0)`.
    pub text: String,
    pub limited: bool,
    pub grants: Vec<GrantView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RowView {
    pub subject: String,
    /// `--as` for the can-i box: the user name of the subject (empty for a group).
    pub user: String,
    pub group: Option<String>,
    pub dangerous: usize,
    pub cells: Vec<CellView>,
    /// What the row cannot show (a binding naming the subject whose role is neither in
    /// the text nor built in grants nothing until it exists); also in [`AccessData::notes`].
    pub notes: Vec<String>,
}

/// The matrix of the text.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessData {
    /// (id, title, dangerous) per column.
    pub permissions: Vec<(&'static str, &'static str, bool)>,
    pub rows: Vec<RowView>,
    pub notes: Vec<String>,
    /// The Roles and ClusterRoles of the text (`ClusterRole reader`, `Role shop/x`; the
    /// built-in ones are not listed): when nothing makes a row, the view says they exist
    /// but nothing binds them.
    pub roles: Vec<String>,
    /// The Roles and ClusterRoles of the text that nothing binds, so that they grant
    /// nothing ([`Access::unbound_roles`]): (`Role shop/x`, UTF-16 from, to, line).
    pub unbound: Vec<(String, usize, usize, usize)>,
    /// YAML errors: their documents are left out.
    pub errors: Vec<YamlErrorView>,
}

fn source(text: &str) -> [Source; 1] {
    [Source::new("manifest.yaml", text)]
}

/// Compute the matrix of `text` at `version`.
pub fn access_data(text: &str, version: KubeVersion) -> AccessData {
    let sources = source(text);
    let options = AccessOptions {
        version,
        apply_namespace: None,
    };
    let (data, errors) = with_bundle(&sources, &Limits::default(), |b| {
        let access = Access::new(b, Bootstrap::shared(version), options);
        let m = access.matrix();
        AccessData {
            permissions: m
                .permissions
                .iter()
                .map(|p| (p.id, p.title, p.dangerous))
                .collect(),
            rows: m
                .rows
                .iter()
                .map(|r| {
                    let user = r.subject.user();
                    RowView {
                        subject: r.subject.text(),
                        group: (r.subject.kind == "Group").then(|| r.subject.name.clone()),
                        user: user.name,
                        dangerous: r.dangerous,
                        cells: r
                            .cells
                            .iter()
                            .map(|c| CellView {
                                granted: c.granted(),
                                text: c.text(),
                                limited: c.limited_to_names(),
                                grants: c.grants.iter().map(|g| GrantView::new(text, g)).collect(),
                            })
                            .collect(),
                        notes: r.notes.clone(),
                    }
                })
                .collect(),
            unbound: m
                .unbound_roles
                .iter()
                .map(|u| {
                    let (start, end) = (u.at.span.start, u.at.span.end);
                    (
                        u.role.clone(),
                        utf16(text, start),
                        utf16(text, end),
                        line_of(text, start),
                    )
                })
                .collect(),
            notes: m.notes,
            roles: access
                .roles
                .iter()
                .filter(|r| matches!(r.origin, Origin::Bundle(_)) && !r.shadowed)
                .map(|r| match r.role.namespace {
                    Some(ns) => format!("{} {ns}/{}", r.role.kind.as_str(), r.role.name),
                    None => format!("{} {}", r.role.kind.as_str(), r.role.name),
                })
                .collect(),
            errors: Vec::new(),
        }
    });
    AccessData {
        errors: yaml_errors(text, &errors),
        ..data
    }
}

/// The can-i box's question, in `kubectl auth can-i`'s grammar as `kubeharden can-i`
/// reads it ([`Access::kubectl_target`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Question {
    pub verb: String,
    /// `TYPE[.GROUP][/NAME]` or a non-resource URL (`/logs/`).
    pub resource: String,
    /// A subresource (`exec`, `log`, …); empty: none.
    pub subresource: String,
    /// Empty: cluster-wide (kubectl `--all-namespaces`).
    pub namespace: String,
    /// The user, or `group:NAME` for any member of a group.
    pub who: String,
    /// More groups of the subject, comma-separated (kubectl `--as-group`).
    pub groups: String,
}

/// The answer: yes/no, the grants, the notes; `Err` for a question that cannot be asked.
pub fn can_i(
    text: &str,
    version: KubeVersion,
    q: &Question,
) -> Result<(bool, Vec<GrantView>, Vec<String>), String> {
    let verb = q.verb.trim();
    let resource = q.resource.trim();
    let who = q.who.trim();
    if verb.is_empty() || resource.is_empty() || who.is_empty() {
        return Err("give a verb, a resource and a subject".into());
    }
    let sources = source(text);
    let options = AccessOptions {
        version,
        apply_namespace: None,
    };
    let (out, _) = with_bundle(&sources, &Limits::default(), |b| {
        let access = Access::new(b, Bootstrap::shared(version), options);
        let (target, mut notes) = access.kubectl_target(resource, Some(&q.subresource))?;
        // A member of a group is an authenticated user too (impersonation.go adds
        // `system:authenticated` to every identity but `system:anonymous`), as is the user
        // kubectl `--as NAME --as-group G` makes.
        let mut groups: Vec<String> = q
            .groups
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(String::from)
            .collect();
        let name = match who.strip_prefix("group:") {
            Some(g) => {
                groups.insert(0, g.trim().to_string());
                ""
            }
            None => who,
        };
        let user = User::impersonate(name, &groups);
        let ns = q.namespace.trim();
        let ns = if ns.is_empty() { None } else { Some(ns) };
        // The access review `kubeharden can-i` answers (a namespace kept for a
        // cluster-scoped resource, as kubectl sends it).
        let d = access.review(&user, verb, &target, ns);
        notes.extend(d.notes);
        Ok((
            d.allowed,
            d.grants.iter().map(|g| GrantView::new(text, g)).collect(),
            notes,
        ))
    });
    out
}

/// Where an arrow key moves the focus in a matrix whose buttons are at `cells` (row,
/// column; any order), from the button at `from` (the ARIA grid pattern's keys, over the
/// cells that have a button): `ArrowRight`/`ArrowLeft` the next one in the row,
/// `ArrowDown`/`ArrowUp` the nearest row that has one, at the nearest column (the left one
/// on a tie), `Home`/`End` the row's first and last, `Ctrl+Home`/`Ctrl+End` the matrix's.
/// `None`: another key, or nothing that way.
pub fn step(cells: &[(usize, usize)], from: (usize, usize), key: &str) -> Option<(usize, usize)> {
    let (r, c) = from;
    let in_row = || cells.iter().filter(move |x| x.0 == r);
    let near = |rows: &mut dyn Iterator<Item = usize>| {
        let row = rows.next()?;
        cells
            .iter()
            .filter(|x| x.0 == row)
            .min_by_key(|x| (x.1.abs_diff(c), x.1))
            .copied()
    };
    match key {
        "ArrowRight" => in_row().filter(|x| x.1 > c).min_by_key(|x| x.1).copied(),
        "ArrowLeft" => in_row().filter(|x| x.1 < c).max_by_key(|x| x.1).copied(),
        "Home" => in_row().min_by_key(|x| x.1).copied(),
        "End" => in_row().max_by_key(|x| x.1).copied(),
        "Ctrl+Home" => cells.iter().min().copied(),
        "Ctrl+End" => cells.iter().max().copied(),
        "ArrowDown" => {
            let mut rows: Vec<usize> = cells.iter().map(|x| x.0).filter(|&x| x > r).collect();
            rows.sort_unstable();
            near(&mut rows.into_iter())
        }
        "ArrowUp" => {
            let mut rows: Vec<usize> = cells.iter().map(|x| x.0).filter(|&x| x < r).collect();
            rows.sort_unstable_by(|a, b| b.cmp(a));
            near(&mut rows.into_iter())
        }
        _ => None,
    }
    .filter(|&to| to != from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RBAC: &str = include_str!("../../www/examples/rbac-wildcards.yaml");

    fn line(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn offsets_are_utf16_and_any_offset_is_answered() {
        let text = "é\n😀x\n";
        assert_eq!(utf16(text, 0), 0);
        assert_eq!(utf16(text, 3), 2, "é is 2 bytes, 1 unit; then \\n");
        assert_eq!(utf16(text, 7), 4, "😀 is 4 bytes, 2 units");
        // Inside a character: its start; past the end: the end.
        assert_eq!(utf16(text, 5), 2);
        assert_eq!(utf16(text, 99), utf16(text, text.len()));
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 3), 2);
        assert_eq!(line_of(text, 99), 3);
    }

    #[test]
    fn the_rbac_example_puts_the_operator_first_and_its_everything_cell_at_the_role_rule() {
        let d = access_data(RBAC, KubeVersion::LATEST);
        assert!(d.errors.is_empty());
        let row = &d.rows[0];
        assert_eq!(row.subject, "ServiceAccount platform/release-operator");
        assert_eq!(row.user, "system:serviceaccount:platform:release-operator");
        assert!(row.dangerous > 0);
        let c = d
            .permissions
            .iter()
            .position(|p| p.0 == "everything")
            .unwrap();
        assert!(d.permissions[c].2, "every verb on everything is dangerous");
        let cell = &row.cells[c];
        assert!(cell.granted && !cell.limited);
        assert_eq!(cell.text, "platform");
        let g = &cell.grants[0];
        assert!(g.text.starts_with(
            "RoleBinding platform/release-operator → Role platform/release-operator, rule 1"
        ));
        let (from, _, l) = g.rule.unwrap();
        assert_eq!(l, line(RBAC, r#"apiGroups: ["*"]"#));
        // ASCII text: UTF-16 offsets are byte offsets.
        assert_eq!(line_of(RBAC, from), l);
        assert_eq!(g.target(), g.rule);
        assert!(!g.built_in);
    }

    /// pkg/registry/rbac/validation/rule.go `GetRoleReferenceRules`: a binding to a role
    /// that does not exist grants nothing until it does; the row says why it is empty, as
    /// `kubeharden access` does.
    #[test]
    fn a_row_says_when_its_binding_references_a_missing_role() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader, namespace: a}\nsubjects: [{kind: User, name: ann}]\nroleRef: {kind: Role, name: x, apiGroup: rbac.authorization.k8s.io}\n";
        let d = access_data(text, KubeVersion::LATEST);
        let row = d.rows.iter().find(|r| r.subject == "User ann").unwrap();
        assert!(row.cells.iter().all(|c| !c.granted));
        let note = "RoleBinding a/reader names ann but references Role x, which is neither in the bundle nor built in: it grants nothing until that role exists";
        assert_eq!(row.notes, [note]);
        assert!(d.notes.iter().any(|n| n == note), "{:?}", d.notes);
    }

    #[test]
    fn a_grant_of_a_built_in_role_goes_to_its_binding() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: devs-edit\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n  - kind: Group\n    name: devs\n";
        let q = Question {
            verb: "create".into(),
            resource: "deployments".into(),
            namespace: "shop".into(),
            who: "group:devs".into(),
            ..Question::default()
        };
        let (allowed, grants, _) = can_i(text, KubeVersion::LATEST, &q).unwrap();
        assert!(allowed);
        let g = &grants[0];
        assert!(g.built_in && g.rule.is_none());
        assert_eq!(g.target(), g.binding);
        // The binding's place is its roleRef.
        let at = g.binding.unwrap().2;
        assert!(
            (line(text, "roleRef:")..=line(text, "name: edit")).contains(&at),
            "{at}"
        );
        let d = access_data(text, KubeVersion::LATEST);
        assert_eq!(d.rows[0].group.as_deref(), Some("devs"));
    }

    #[test]
    fn the_can_i_box_answers_yes_no_and_says_what_it_cannot_ask() {
        let mut q = Question {
            verb: "get".into(),
            resource: "secrets".into(),
            namespace: "platform".into(),
            who: "system:serviceaccount:platform:release-operator".into(),
            ..Question::default()
        };
        let (allowed, grants, _) = can_i(RBAC, KubeVersion::LATEST, &q).unwrap();
        assert!(allowed);
        let lines: Vec<usize> = grants.iter().filter_map(|g| g.rule).map(|r| r.2).collect();
        assert_eq!(
            lines,
            [
                line(RBAC, r#"apiGroups: ["", "apps"]"#),
                line(RBAC, r#"apiGroups: ["*"]"#)
            ]
        );
        q.who = "system:serviceaccount:platform:default".into();
        let (allowed, grants, _) = can_i(RBAC, KubeVersion::LATEST, &q).unwrap();
        assert!(!allowed && grants.is_empty());
        // A subresource and a non-resource URL are questions too.
        q.who = "system:serviceaccount:platform:release-operator".into();
        q.verb = "create".into();
        q.resource = "nodes".into();
        q.subresource = "proxy".into();
        q.namespace.clear();
        assert!(can_i(RBAC, KubeVersion::LATEST, &q).unwrap().0);
        q.subresource.clear();
        q.resource = "/metrics".into();
        q.verb = "get".into();
        assert!(!can_i(RBAC, KubeVersion::LATEST, &q).unwrap().0);
        q.resource = "  ".into();
        assert_eq!(
            can_i(RBAC, KubeVersion::LATEST, &q).unwrap_err(),
            "give a verb, a resource and a subject"
        );
        q.resource = "frobnicators".into();
        assert!(can_i(RBAC, KubeVersion::LATEST, &q).is_err());
    }

    /// The box reads `RESOURCE` as `kubeharden can-i` and `kubectl auth can-i` do
    /// (kubectl/pkg/cmd/auth/cani.go): `pods/exec` is the pod *named* exec, and the
    /// subresource is its own field. A Role granting only `pods/exec` (the RBAC authorizer
    /// matches `resource/subresource` against `resources`, plugin/pkg/auth/authorizer/rbac
    /// rbac.go `ResourceMatches`) lets its subject create the exec subresource of any pod,
    /// but not create pods, whatever their name.
    #[test]
    fn the_can_i_box_reads_type_slash_name_as_kubectl_does_and_asks_subresources_apart() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: exec, namespace: shop}\nrules:\n- {apiGroups: [\"\"], resources: [pods/exec], verbs: [create]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: exec, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}\nsubjects:\n- {kind: User, name: alice}\n";
        let mut q = Question {
            verb: "create".into(),
            resource: "pods/exec".into(),
            namespace: "shop".into(),
            who: "alice".into(),
            ..Question::default()
        };
        let (allowed, _, notes) = can_i(text, KubeVersion::LATEST, &q).unwrap();
        assert!(!allowed, "pods/exec is the pod named exec: no");
        assert!(
            notes[0].starts_with("pods/exec names the object \"exec\" of pods")
                && notes[0].contains("give exec as the subresource"),
            "{notes:?}"
        );
        q.resource = "pods".into();
        q.subresource = "exec".into();
        let (allowed, grants, notes) = can_i(text, KubeVersion::LATEST, &q).unwrap();
        assert!(
            allowed && grants.len() == 1 && notes.is_empty(),
            "{notes:?}"
        );
        // And of a named pod (TYPE/NAME with the subresource): the rule has no resourceNames.
        q.resource = "pod/db-0".into();
        assert!(can_i(text, KubeVersion::LATEST, &q).unwrap().0);
        q.resource = "/healthz".into();
        assert!(can_i(text, KubeVersion::LATEST, &q)
            .unwrap_err()
            .contains("subresource does not apply to a non-resource URL"));
        q.resource = "pods/".into();
        q.subresource.clear();
        assert!(can_i(text, KubeVersion::LATEST, &q).is_err());
    }

    /// The box answers the access review `kubeharden can-i` and `kubectl auth can-i` send:
    /// a namespace given for a cluster-scoped resource is kept, and the RBAC authorizer
    /// visits that namespace's RoleBindings (plugin/pkg/auth/authorizer/rbac/rbac.go
    /// `VisitRulesFor`), so `patch namespaces` in `ops` is yes through a RoleBinding of
    /// `ops`, with the note on what a real request gets.
    #[test]
    fn the_can_i_box_answers_the_access_review_as_the_cli_does() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: relabel}\nrules:\n- {apiGroups: [\"\"], resources: [namespaces], verbs: [patch]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: relabel, namespace: ops}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: relabel}\nsubjects:\n- {kind: User, name: carol}\n";
        let mut q = Question {
            verb: "patch".into(),
            resource: "namespaces".into(),
            namespace: "ops".into(),
            who: "carol".into(),
            ..Question::default()
        };
        let (allowed, _, notes) = can_i(text, KubeVersion::LATEST, &q).unwrap();
        assert!(allowed);
        assert!(
            notes.iter().any(|n| {
                n.contains(
                "is cluster-scoped, but kubectl auth can-i sends namespace ops in its access review"
            )
            }),
            "{notes:?}"
        );
        // Cluster-wide (an empty namespace): no RoleBinding is visited.
        q.namespace.clear();
        assert!(!can_i(text, KubeVersion::LATEST, &q).unwrap().0);
    }

    /// A member of a group, and a user with groups (kubectl `--as NAME --as-group G`), are
    /// authenticated users: the API server's impersonation adds `system:authenticated`
    /// (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go), so the
    /// built-in `system:basic-user` lets them create SelfSubjectAccessReviews and
    /// `system:discovery` get /healthz (bootstrap policy, plugin/pkg/auth/authorizer/rbac/
    /// bootstrappolicy/policy.go).
    #[test]
    fn a_group_member_and_a_user_with_groups_are_authenticated() {
        let mut q = Question {
            verb: "create".into(),
            resource: "selfsubjectaccessreviews.authorization.k8s.io".into(),
            who: "group:devs".into(),
            ..Question::default()
        };
        assert!(can_i(RBAC, KubeVersion::LATEST, &q).unwrap().0);
        q.resource = "/healthz".into();
        q.verb = "get".into();
        assert!(can_i(RBAC, KubeVersion::LATEST, &q).unwrap().0);
        // A group's own grant, asked as a user with that group.
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: devs-view}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {kind: Group, name: devs}\n";
        q.who = "jane".into();
        q.resource = "pods".into();
        q.verb = "list".into();
        assert!(!can_i(text, KubeVersion::LATEST, &q).unwrap().0);
        q.groups = " ops, devs ".into();
        assert!(can_i(text, KubeVersion::LATEST, &q).unwrap().0);
    }

    /// Arrow keys over the cells that have a button (here a sparse 3×4 matrix).
    #[test]
    fn arrow_keys_step_over_the_cells_that_have_a_button() {
        // row 0: columns 0, 2; row 1: column 3; row 2: columns 1, 2.
        let cells = [(0, 0), (0, 2), (1, 3), (2, 1), (2, 2)];
        assert_eq!(step(&cells, (0, 0), "ArrowRight"), Some((0, 2)));
        assert_eq!(step(&cells, (0, 2), "ArrowRight"), None, "the row's end");
        assert_eq!(step(&cells, (0, 2), "ArrowLeft"), Some((0, 0)));
        assert_eq!(
            step(&cells, (0, 2), "ArrowDown"),
            Some((1, 3)),
            "the next row's nearest"
        );
        assert_eq!(step(&cells, (1, 3), "ArrowDown"), Some((2, 2)));
        assert_eq!(step(&cells, (2, 1), "ArrowUp"), Some((1, 3)));
        assert_eq!(step(&cells, (1, 3), "ArrowUp"), Some((0, 2)));
        assert_eq!(step(&cells, (0, 0), "ArrowUp"), None, "the first row");
        // A tie (columns 0 and 2 from 1) goes left.
        assert_eq!(
            step(&[(0, 1), (1, 0), (1, 2)], (0, 1), "ArrowDown"),
            Some((1, 0))
        );
        assert_eq!(step(&cells, (2, 2), "Home"), Some((2, 1)));
        assert_eq!(step(&cells, (2, 1), "End"), Some((2, 2)));
        assert_eq!(step(&cells, (2, 1), "Ctrl+Home"), Some((0, 0)));
        assert_eq!(step(&cells, (0, 2), "Ctrl+End"), Some((2, 2)));
        assert_eq!(step(&cells, (2, 1), "Enter"), None);
    }

    #[test]
    fn text_without_rbac_or_with_yaml_errors_gives_no_rows_and_names_the_errors() {
        let d = access_data("a: [\n---\nkind: ConfigMap\n", KubeVersion::LATEST);
        assert!(d.rows.is_empty());
        assert_eq!(d.errors.len(), 1);
        let e = &d.errors[0];
        assert_eq!((e.document, e.line), (1, 1), "{e:?}");
        assert!(
            e.text()
                .starts_with("YAML error in document 1 at line 1, column ")
                && !e.message.is_empty(),
            "{}",
            e.text()
        );
        assert!(access_data("", KubeVersion::LATEST).rows.is_empty());
    }

    #[test]
    fn roles_that_nothing_binds_are_counted_apart_from_subjects() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n";
        let d = access_data(text, KubeVersion::LATEST);
        assert!(d.rows.is_empty());
        assert_eq!(
            d.roles,
            ["ClusterRole reader"],
            "the built-in roles are not listed"
        );
        assert!(access_data("kind: ConfigMap\n", KubeVersion::LATEST)
            .roles
            .is_empty());
    }
}
