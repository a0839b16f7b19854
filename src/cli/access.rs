//! `kubeharden can-i`, `who-can`, `access` and `reach`: the access and reachability
//! models of the library ([`kubeharden::access`]) as open questions about the manifests.

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use kubeharden::access::rbac::{Decision, Grant, Holder, Matrix, Target};
use kubeharden::access::reach::{
    Answer, Endpoint, NamespaceMatrix, Outside, PortQuery, Reach, Side, Verdict,
};
use kubeharden::access::{with_bundle, Access, AccessOptions, At, Bootstrap, User};
use kubeharden::yaml::Limits;
use kubeharden::{Bundle, KubeVersion, Source};

use super::input;

/// Output of who-can and access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Human,
    Json,
    Markdown,
}

/// Output of reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReachFormat {
    Human,
    Json,
    Markdown,
    /// A Mermaid flowchart of the allowed connections, per namespace.
    Mermaid,
    /// A Graphviz DOT digraph of the allowed (solid) and undecided (dashed) connections.
    Dot,
}

/// Output of can-i.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnswerFormat {
    Human,
    Json,
}

/// The inputs and the reading options every access command shares.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Target Kubernetes version: 1.NN, v1.NN or latest (v1.37)
    #[arg(long, value_name = "VERSION", default_value = "latest", value_parser = super::values::kube_version)]
    pub kube_version: KubeVersion,
    /// The namespace the manifests are applied to, for objects without metadata.namespace
    /// [default: unknown]
    #[arg(long, value_name = "NAMESPACE")]
    pub apply_namespace: Option<String>,
    /// Refuse larger inputs [default: 33554432, 32 MiB]
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_input_bytes, value_parser = super::values::byte_count, hide_default_value = true)]
    pub max_input_size: usize,
    /// Files, directories or - for standard input (the default when piped)
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
}

/// Can a subject do VERB on RESOURCE? Answered from the manifests, offline
#[derive(Debug, Args)]
#[command(
    long_about = "Whether a user, group or ServiceAccount may make a request, as the RBAC authorizer\n\
                  decides it from the bundle's Roles, ClusterRoles and bindings and the API server's\n\
                  bootstrap roles (cluster-admin, admin, edit, view, system:*), with the rule and\n\
                  binding that grant it. The grammar is kubectl auth can-i's.",
    after_help = "\
Examples:
  kubeharden can-i list secrets --as system:serviceaccount:shop:web -n shop manifests/
  kubeharden can-i create deployments.apps --as jane --as-group devs -n dev rbac.yaml
  kubeharden can-i create pods --subresource exec --as bob -n shop rbac.yaml
  kubeharden can-i get /metrics --as system:serviceaccount:monitoring:prometheus rbac.yaml
  kubeharden can-i --list --as system:serviceaccount:shop:web -n shop manifests/

Exit status: 0 yes, 1 no, 2 usage error or input that could not be read."
)]
pub struct CanIArgs {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, or a
    /// special verb (escalate, bind, impersonate, approve, use)
    #[arg(value_name = "VERB", required_unless_present = "list")]
    pub verb: Option<String>,
    /// TYPE, TYPE.GROUP, TYPE/NAME or a non-resource URL (/metrics)
    #[arg(value_name = "RESOURCE", required_unless_present = "list")]
    pub resource: Option<String>,
    /// Print every permission the user has in the namespace (one line per resource,
    /// resource name or URL, with its verbs and the granting rule and binding), as
    /// `kubectl auth can-i --list` (VERB and RESOURCE are then not given: every
    /// positional argument is a PATH)
    #[arg(long, conflicts_with_all = ["subresource", "quiet"])]
    pub list: bool,
    /// With --list: leave out the header line
    #[arg(long, requires = "list")]
    pub no_headers: bool,
    /// The user (system:serviceaccount:NAMESPACE:NAME for a ServiceAccount)
    #[arg(long = "as", value_name = "USER", required = true)]
    pub user: String,
    /// A group of the user (repeatable)
    #[arg(long = "as-group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// The request's namespace [default: default]
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        conflicts_with = "all_namespaces"
    )]
    pub namespace: Option<String>,
    /// Across all namespaces (only ClusterRoleBindings count)
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// A subresource (exec, log, status, token, ...)
    #[arg(long, value_name = "SUBRESOURCE")]
    pub subresource: Option<String>,
    /// Print nothing; only the exit status answers
    #[arg(short, long)]
    pub quiet: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub format: AnswerFormat,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Who can do VERB on RESOURCE? Every subject whose bindings grant it
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  kubeharden who-can get secrets -n payments manifests/

Groups (system:authenticated, system:masters) are listed as themselves: their members are not
in the manifests. Exit status: 0, or 2 on a usage error or input that could not be read.")]
pub struct WhoCanArgs {
    #[arg(value_name = "VERB")]
    pub verb: String,
    /// TYPE, TYPE.GROUP, TYPE/NAME or a non-resource URL
    #[arg(value_name = "RESOURCE")]
    pub resource: String,
    /// The namespace [default: across all namespaces, only ClusterRoleBindings]
    #[arg(short, long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    #[arg(long, value_name = "SUBRESOURCE")]
    pub subresource: Option<String>,
    /// Leave out the subjects of the built-in bindings (system:masters, system:kube-*)
    #[arg(long)]
    pub bundle_only: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub format: TableFormat,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The subject × permission matrix, dangerous permissions first
#[derive(Debug, Args)]
#[command(after_help = "\
Rows: every subject the bundle's bindings name and every ServiceAccount it defines or runs pods
as, those with the most dangerous permissions first. A cell says where the permission holds:
cluster (a ClusterRoleBinding), the namespaces of RoleBindings, or -.
Exit status: 0, or 2 on a usage error or input that could not be read.")]
pub struct AccessArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub format: TableFormat,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// What can reach what: NetworkPolicy reachability between workloads and the outside
#[derive(Debug, Args)]
#[command(after_help = "\
With --from and --to, one answer; with one of them, everything that end reaches (or is
reached by) across all namespaces; otherwise a source × destination matrix per namespace,
with the internet as a source and the outside as destinations: internet (some public
address), metadata (169.254.169.254:80), metadata-v6 (fd00:ec2::254:80), kubelet (node
port 10250) and dns (UDP 53 to k8s-app=kube-dns in kube-system).
A workload is NAME, KIND/NAME or NAMESPACE/KIND/NAME.

Examples:
  kubeharden reach -n shop manifests/
  kubeharden reach --from shop/web --to shop/db --port 5432 manifests/
  kubeharden reach --from shop/web --to metadata manifests/
  kubeharden reach --to shop/db --port 5432 manifests/     # what can reach the database

Exit status for one answer: 0 allowed, 1 denied, 3 the manifests cannot decide;
2 usage error or input that could not be read.")]
pub struct ReachArgs {
    /// The source: a workload, or internet
    #[arg(long, value_name = "WORKLOAD")]
    pub from: Option<String>,
    /// The destination: a workload, internet, metadata, metadata-v6, kubelet or dns
    #[arg(long, value_name = "WORKLOAD")]
    pub to: Option<String>,
    /// Only this namespace's matrix (and the namespace of NAME-only workloads)
    #[arg(short, long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The destination port [default: whether some port is allowed]
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// TCP, UDP or SCTP
    #[arg(long, value_name = "PROTOCOL", default_value = "TCP", value_parser = ["TCP", "UDP", "SCTP"])]
    pub protocol: String,
    /// Output format
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub format: ReachFormat,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The sources of the inputs, or the read errors as one message.
fn read(model: &ModelArgs) -> Result<Vec<Source>, String> {
    let inputs = input::resolve(model.paths.clone())?;
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (sources, errors) = input::read_all(&inputs, model.max_input_size, jobs);
    if let Some(e) = errors.first() {
        return Err(format!(
            "{}: {}",
            kubeharden::render::display_name(&sources[e.file].name),
            e.message
        ));
    }
    Ok(sources)
}

/// Run `f` on the bundle of the inputs. Documents that cannot be read are reported on
/// standard error and make the status 2 (after the answer).
fn run_model(
    model: &ModelArgs,
    f: impl FnOnce(&[Source], &Bundle, &Bootstrap, AccessOptions) -> Result<u8, String>,
) -> Result<u8, String> {
    let sources = read(model)?;
    let boot = Bootstrap::new(model.kube_version);
    let options = AccessOptions {
        version: model.kube_version,
        apply_namespace: model.apply_namespace.clone(),
    };
    let limits = Limits {
        max_input_bytes: model.max_input_size,
        ..Limits::default()
    };
    let (status, errors) = with_bundle(&sources, &limits, |b| f(&sources, b, &boot, options));
    let status = status?;
    if errors.is_empty() {
        return Ok(status);
    }
    let mut text = String::new();
    for (file, e) in &errors {
        let s = &sources[*file];
        let at = At {
            origin: kubeharden::access::Origin::Bundle(*file),
            span: e.span,
        };
        let place = at
            .locate(&sources)
            .map_or_else(|| s.name.clone(), |l| l.to_string());
        let _ = writeln!(
            text,
            "kubeharden: {place}: {} (document left out)",
            e.message
        );
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
    Ok(2)
}

fn place(at: &At, sources: &[Source]) -> String {
    at.locate(sources)
        .map_or_else(|| "?".into(), |l| l.to_string())
}

fn place_json(at: &At, sources: &[Source]) -> Value {
    match at.locate(sources) {
        Some(l) => {
            json!({"file": l.file, "line": l.line, "column": l.column, "built_in": l.built_in})
        }
        None => Value::Null,
    }
}

/// `RESOURCE` of the kubectl grammar ([`Access::kubectl_target`]); its notes (a `NAME`
/// that looks like a subresource) go to standard error as `kubeharden: note: …`.
fn target(access: &Access, resource: &str, subresource: Option<&str>) -> Result<Target, String> {
    let (target, notes) = access.kubectl_target(resource, subresource)?;
    let text: String = notes
        .iter()
        .map(|n| format!("kubeharden: note: {n}\n"))
        .collect();
    let _ = std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes());
    Ok(target)
}

fn grant_json(g: &Grant, sources: &[Source]) -> Value {
    json!({
        "binding": g.binding,
        "binding_at": place_json(&g.binding_at, sources),
        "subject": g.subject,
        "subject_at": place_json(&g.subject_at, sources),
        "role": g.role,
        "aggregated_from": g.aggregated_from,
        "rule_index": g.rule_index,
        "rule_at": place_json(&g.rule_at, sources),
        "scope": g.scope,
    })
}

fn grant_lines(out: &mut String, g: &Grant, sources: &[Source], indent: &str) {
    let via = g
        .aggregated_from
        .as_ref()
        .map(|r| format!(", aggregated from {r}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}rule {} of {}{via} at {}",
        g.rule_index + 1,
        g.role,
        place(&g.rule_at, sources)
    );
    let _ = writeln!(
        out,
        "{indent}  bound {} by {} to {} at {}",
        g.scope.text(),
        g.binding,
        g.subject,
        place(&g.subject_at, sources)
    );
}

/// `kubeharden can-i --list`: exit status 0.
fn can_i_list(args: &CanIArgs, access: &Access, sources: &[Source]) -> Result<u8, String> {
    let namespace = if args.all_namespaces {
        None
    } else {
        Some(args.namespace.as_deref().unwrap_or("default"))
    };
    let user = User::impersonate(&args.user, &args.groups);
    let (lines, notes) = access.list(&user, namespace);
    let mut out = String::new();
    match args.format {
        AnswerFormat::Json => {
            let v = json!({
                "user": user,
                "namespace": namespace,
                "permissions": lines.iter().map(|l| json!({
                    "resource": l.resource,
                    "non_resource_url": l.url,
                    "resource_names": l.resource_names,
                    "verbs": l.verbs,
                    "grants": l.grants.iter().map(|g| grant_json(g, sources)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "notes": notes,
            });
            out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
        }
        AnswerFormat::Human => {
            let bracket = |v: &[String]| format!("[{}]", v.join(" "));
            let rows: Vec<[String; 5]> = lines
                .iter()
                .map(|l| {
                    let urls: Vec<String> = (!l.url.is_empty())
                        .then(|| l.url.clone())
                        .into_iter()
                        .collect();
                    let by = l.grants.first().map_or(String::new(), |g| {
                        let more = match l.grants.len() {
                            1 => String::new(),
                            n => format!(" (+{} more)", n - 1),
                        };
                        format!(
                            "{} → rule {} of {} at {}{more}",
                            g.binding,
                            g.rule_index + 1,
                            g.aggregated_from.as_ref().unwrap_or(&g.role),
                            place(&g.rule_at, sources)
                        )
                    });
                    [
                        l.resource.clone(),
                        bracket(&urls),
                        bracket(&l.resource_names),
                        bracket(&l.verbs),
                        by,
                    ]
                })
                .collect();
            let header = [
                "Resources",
                "Non-Resource URLs",
                "Resource Names",
                "Verbs",
                "Granted by",
            ]
            .map(String::from);
            let all: Vec<&[String; 5]> = std::iter::once(&header)
                .filter(|_| !args.no_headers)
                .chain(rows.iter())
                .collect();
            let widths: Vec<usize> = (0..4)
                .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
                .collect();
            for r in all {
                let mut line = String::new();
                for i in 0..4 {
                    let _ = write!(line, "{:<w$}   ", r[i], w = widths[i]);
                }
                line.push_str(&r[4]);
                let _ = writeln!(out, "{}", line.trim_end());
            }
            if lines.is_empty() {
                let _ = writeln!(out, "(no permissions)");
            }
            for n in &notes {
                let _ = writeln!(out, "note: {n}");
            }
        }
    }
    super::out(&out);
    Ok(0)
}

/// The verbs kubectl auth can-i knows for a resource (cani.go `resourceVerbs`).
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// The verbs kubectl auth can-i knows for a non-resource URL (cani.go
/// `nonResourceURLVerbs`).
const NON_RESOURCE_URL_VERBS: &[&str] = &[
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

/// `kubeharden can-i`.
pub fn can_i(mut args: CanIArgs) -> Result<u8, String> {
    if args.list {
        // `can-i --list --as U a.yaml b.yaml`: the positionals clap took as VERB and
        // RESOURCE are paths.
        let mut paths: Vec<String> = args
            .verb
            .take()
            .into_iter()
            .chain(args.resource.take())
            .collect();
        paths.append(&mut args.model.paths);
        args.model.paths = paths;
    }
    run_model(&args.model, |sources, bundle, boot, options| {
        let access = Access::new(bundle, boot, options);
        if args.list {
            return can_i_list(&args, &access, sources);
        }
        let (Some(verb), Some(resource)) = (&args.verb, &args.resource) else {
            return Err("can-i needs VERB and RESOURCE (or --list)".into());
        };
        if verb.is_empty() {
            return Err("VERB is empty: give a verb such as get, list or create".into());
        }
        let target = target(&access, resource, args.subresource.as_deref())?;
        // kubectl auth can-i warns about a verb it does not know, on standard error, and
        // asks anyway (staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go `Validate`).
        let known = match &target {
            Target::Url { .. } => NON_RESOURCE_URL_VERBS.contains(&verb.as_str()),
            Target::Resource { .. } => RESOURCE_VERBS.contains(&verb.as_str()),
        };
        if !known {
            let warning = format!("Warning: verb '{verb}' is not a known verb\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), warning.as_bytes());
        }
        let namespace = if args.all_namespaces {
            None
        } else {
            Some(args.namespace.as_deref().unwrap_or("default"))
        };
        let user = User::impersonate(&args.user, &args.groups);
        // What kubectl sends: the namespace even for a cluster-scoped resource, with a
        // warning on standard error (kubectl `auth can-i`).
        let d: Decision = access.review(&user, verb, &target, namespace);
        if let (
            Some(_),
            Target::Resource {
                group, resource, ..
            },
        ) = (namespace, &target)
        {
            if !args.quiet && access.namespaced(group, resource) == Some(false) {
                let warning = if group.is_empty() {
                    format!("Warning: resource '{resource}' is not namespace scoped\n\n")
                } else {
                    format!(
                        "Warning: resource '{resource}' is not namespace scoped in group '{group}'\n\n"
                    )
                };
                let _ = std::io::Write::write_all(&mut std::io::stderr(), warning.as_bytes());
            }
        }
        if !args.quiet {
            let mut out = String::new();
            match args.format {
                AnswerFormat::Json => {
                    let v = json!({
                        "allowed": d.allowed,
                        "user": user,
                        "verb": verb,
                        "target": target,
                        "namespace": namespace,
                        "grants": d.grants.iter().map(|g| grant_json(g, sources)).collect::<Vec<_>>(),
                        "notes": d.notes,
                    });
                    out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
                }
                AnswerFormat::Human => {
                    out.push_str(if d.allowed { "yes\n" } else { "no\n" });
                    for g in &d.grants {
                        grant_lines(&mut out, g, sources, "  ");
                    }
                    for n in &d.notes {
                        let _ = writeln!(out, "  note: {n}");
                    }
                }
            }
            super::out(&out);
        }
        Ok(if d.allowed { 0 } else { 1 })
    })
}

/// `kubeharden who-can`.
pub fn who_can(args: WhoCanArgs) -> Result<u8, String> {
    run_model(&args.model, |sources, bundle, boot, options| {
        let access = Access::new(bundle, boot, options);
        let target = target(&access, &args.resource, args.subresource.as_deref())?;
        let (mut holders, notes): (Vec<Holder>, Vec<String>) =
            access.who_can_noted(&args.verb, &target, args.namespace.as_deref());
        if args.bundle_only {
            holders.retain_mut(|h| {
                h.grants.retain(|g| {
                    !matches!(g.binding_at.origin, kubeharden::access::Origin::BuiltIn(_))
                });
                !h.grants.is_empty()
            });
        }
        let scope = match &args.namespace {
            Some(ns) => format!("in namespace {ns}"),
            None => "across all namespaces".into(),
        };
        let question = format!("who can {} {} {scope}", args.verb, target.text());
        let mut out = String::new();
        match args.format {
            TableFormat::Json => {
                let v = json!({
                    "verb": args.verb,
                    "target": target,
                    "namespace": args.namespace,
                    "subjects": holders.iter().map(|h| json!({
                        "subject": h.subject,
                        "grants": h.grants.iter().map(|g| grant_json(g, sources)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                    "notes": notes,
                });
                out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
            }
            TableFormat::Human => {
                let _ = writeln!(
                    out,
                    "{question}: {} subject{}",
                    holders.len(),
                    if holders.len() == 1 { "" } else { "s" }
                );
                for h in &holders {
                    let _ = writeln!(out, "{}", h.subject.text());
                    for g in &h.grants {
                        grant_lines(&mut out, g, sources, "  ");
                    }
                }
                for n in &notes {
                    let _ = writeln!(out, "note: {n}");
                }
            }
            TableFormat::Markdown => {
                let _ = writeln!(out, "### {}\n", capitalise(&question));
                out.push_str("| Subject | Binding | Role | Rule |\n|---|---|---|---|\n");
                for h in &holders {
                    for g in &h.grants {
                        let role = match &g.aggregated_from {
                            Some(from) => format!("{} (from {from})", g.role),
                            None => g.role.clone(),
                        };
                        let _ = writeln!(
                            out,
                            "| {} | {} ({}) | {} | rule {} at `{}` |",
                            md(&h.subject.text()),
                            md(&g.binding),
                            g.scope.text(),
                            md(&role),
                            g.rule_index + 1,
                            place(&g.rule_at, sources)
                        );
                    }
                }
                for n in &notes {
                    let _ = writeln!(out, "\nNote: {n}");
                }
            }
        }
        super::out(&out);
        Ok(0)
    })
}

/// `1 subject`, `2 subjects`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Escape a Markdown table cell.
fn md(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `kubeharden access`.
pub fn access(args: AccessArgs) -> Result<u8, String> {
    run_model(&args.model, |sources, bundle, boot, options| {
        let access = Access::new(bundle, boot, options);
        let m: Matrix = access.matrix();
        super::out(&render_matrix(&m, sources, args.format));
        Ok(0)
    })
}

/// One sentence per Role or ClusterRole of the bundle that nothing binds.
fn unbound_notes(m: &Matrix, sources: &[Source]) -> Vec<String> {
    m.unbound_roles
        .iter()
        .map(|u| {
            format!(
                "{} at {} is unbound: no valid binding of the manifests or of the built-in policy references it (nor does an aggregated ClusterRole gather it), so it grants nothing",
                u.role,
                place(&u.at, sources)
            )
        })
        .collect()
}

fn render_matrix(m: &Matrix, sources: &[Source], format: TableFormat) -> String {
    let mut out = String::new();
    match format {
        TableFormat::Json => {
            let v = json!({
                "permissions": m.permissions,
                "subjects": m.rows.iter().map(|r| json!({
                    "subject": r.subject,
                    "defined_at": r.defined_at.as_ref().map(|a| place_json(a, sources)),
                    "dangerous": r.dangerous,
                    "notes": r.notes,
                    "cells": r.cells.iter().zip(&m.permissions).filter(|(c, _)| c.granted()).map(|(c, p)| json!({
                        "permission": p.id,
                        "cluster": c.cluster,
                        "namespaces": c.namespaces,
                        "limited_to_names": c.limited_to_names(),
                        "resource_names": c.names,
                        "grants": c.grants.iter().map(|g| grant_json(g, sources)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "notes": m.notes,
                "unbound_roles": m.unbound_roles.iter().map(|u| json!({
                    "role": u.role,
                    "at": place_json(&u.at, sources),
                })).collect::<Vec<_>>(),
            });
            out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
        }
        TableFormat::Human => {
            let _ = writeln!(
                out,
                "{} × {} permissions (! dangerous)",
                count(m.rows.len(), "subject", "subjects"),
                m.permissions.len()
            );
            let width = m
                .permissions
                .iter()
                .map(|p| p.title.chars().count())
                .max()
                .unwrap_or(0);
            for r in &m.rows {
                let _ = writeln!(
                    out,
                    "\n{} ({} dangerous){}",
                    r.subject.text(),
                    r.dangerous,
                    r.defined_at
                        .as_ref()
                        .map(|a| format!(" defined at {}", place(a, sources)))
                        .unwrap_or_default()
                );
                let held: Vec<_> = r
                    .cells
                    .iter()
                    .zip(&m.permissions)
                    .filter(|(c, _)| c.granted())
                    .collect();
                if held.is_empty() {
                    out.push_str("  nothing\n");
                }
                for n in &r.notes {
                    let _ = writeln!(out, "  note: {n}");
                }
                for (c, p) in held {
                    let first = c.grants.first();
                    let _ = writeln!(
                        out,
                        "  {} {:<width$} {:<14} {}",
                        if p.dangerous { "!" } else { " " },
                        p.title,
                        c.text(),
                        first
                            .map(|g| format!(
                                "{} → {} ({})",
                                g.binding,
                                g.role,
                                place(&g.rule_at, sources)
                            ))
                            .unwrap_or_default()
                    );
                }
            }
            // A row's notes are printed under it.
            for n in m
                .notes
                .iter()
                .filter(|n| !m.rows.iter().any(|r| r.notes.contains(n)))
            {
                let _ = writeln!(out, "note: {n}");
            }
            for n in unbound_notes(m, sources) {
                let _ = writeln!(out, "note: {n}");
            }
        }
        TableFormat::Markdown => {
            out.push_str("| Subject |");
            for p in &m.permissions {
                let _ = write!(
                    out,
                    " {}{} |",
                    if p.dangerous { "⚠ " } else { "" },
                    md(p.title)
                );
            }
            out.push_str("\n|---|");
            out.push_str(&"---|".repeat(m.permissions.len()));
            out.push('\n');
            for r in &m.rows {
                let _ = write!(out, "| {} |", md(&r.subject.text()));
                for (c, p) in r.cells.iter().zip(&m.permissions) {
                    let text = c.text();
                    let _ = if c.granted() && p.dangerous {
                        write!(out, " **{}** |", md(&text))
                    } else {
                        write!(out, " {} |", md(&text))
                    };
                }
                out.push('\n');
            }
            for n in m.notes.iter().cloned().chain(unbound_notes(m, sources)) {
                let _ = writeln!(out, "\nNote: {n}");
            }
        }
    }
    out
}

/// `kubeharden reach`.
pub fn reach(args: ReachArgs) -> Result<u8, String> {
    run_model(&args.model, |sources, bundle, _, options| {
        let reach =
            Reach::with_options(bundle, options.version, options.apply_namespace.as_deref());
        let notes = reach.notes();
        let out = |text: String| super::out(&with_notes(text, &notes, args.format));
        let port = match args.port {
            Some(p) => PortQuery::Port {
                protocol: args.protocol.clone(),
                port: i64::from(p),
            },
            None => PortQuery::Any,
        };
        let ns = args.namespace.as_deref();
        let end = |t: &str, source: bool| -> Result<Endpoint, String> {
            match Outside::parse(t) {
                Some(Outside::Internet) => Ok(Endpoint::Outside(Outside::Internet)),
                Some(o) if !source => Ok(Endpoint::Outside(o)),
                Some(o) => Err(format!(
                    "{} is a destination only: the source is a workload or internet",
                    o.name()
                )),
                None => {
                    let i = reach.find(t, ns)?;
                    // `-n` is the namespace of NAME and KIND/NAME only: a workload
                    // written with its namespace keeps it, which is said.
                    if let Some(n) = ns {
                        let w = &reach.workloads[i];
                        if w.namespace.as_deref() != Some(n) {
                            let note = format!(
                                "kubeharden: note: -n {n} does not apply to {t:?}, which names its namespace: the answer is for {}\n",
                                w.qualified()
                            );
                            let _ =
                                std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
                        }
                    }
                    Ok(Endpoint::Workload(i))
                }
            }
        };
        match (&args.from, &args.to) {
            (Some(from), None) => {
                let f = end(from, true)?;
                let list = reach.reachable_from(f, &port);
                out(render_list(&reach, f, true, &list, sources, args.format));
                return Ok(0);
            }
            (None, Some(to)) => {
                let t = end(to, false)?;
                let list = reach.reaching(t, &port);
                out(render_list(&reach, t, false, &list, sources, args.format));
                return Ok(0);
            }
            _ => {}
        }
        if let (Some(from), Some(to)) = (&args.from, &args.to) {
            let (f, t) = (end(from, true)?, end(to, false)?);
            if matches!((f, t), (Endpoint::Outside(_), Endpoint::Outside(_))) {
                return Err("one end must be a workload of the bundle".into());
            }
            let a = reach.answer(f, t, &port);
            out(render_answer(&reach, f, t, &a, sources, args.format));
            return Ok(match a.verdict {
                Verdict::Allowed => 0,
                Verdict::Denied => 1,
                Verdict::Unknown => 3,
            });
        }
        let namespaces: Vec<Option<String>> = match ns {
            Some(n) => vec![Some(n.to_string())],
            None => reach.namespaces(),
        };
        let matrices: Vec<NamespaceMatrix> = namespaces
            .iter()
            .map(|n| reach.matrix(n.as_deref(), &port))
            .collect();
        out(render_reach(&matrices, sources, args.format));
        Ok(0)
    })
}

/// `text` as `format` prints it, with the reachability notes ([`Reach::notes`]): `note:`
/// lines (human), `Note:` paragraphs (Markdown), a top-level `notes` array (JSON),
/// comments (Mermaid `%%`, DOT `//`).
fn with_notes(text: String, notes: &[String], format: ReachFormat) -> String {
    if notes.is_empty() {
        return text;
    }
    let mut out = text;
    match format {
        ReachFormat::Json => {
            if let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&out) {
                map.insert("notes".into(), json!(notes));
                out = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default() + "\n";
            }
        }
        ReachFormat::Human => {
            for n in notes {
                let _ = writeln!(out, "note: {n}");
            }
        }
        ReachFormat::Markdown => {
            for n in notes {
                let _ = writeln!(out, "\nNote: {n}");
            }
        }
        ReachFormat::Mermaid => {
            for n in notes {
                let _ = writeln!(out, "%% note: {n}");
            }
        }
        ReachFormat::Dot => {
            for n in notes {
                let _ = writeln!(out, "// note: {n}");
            }
        }
    }
    out
}

/// `reach --from X` (every destination) or `reach --to X` (every source).
fn render_list(
    reach: &Reach,
    end: Endpoint,
    from: bool,
    list: &[(Endpoint, Answer)],
    sources: &[Source],
    format: ReachFormat,
) -> String {
    let name = |e: Endpoint| match e {
        Endpoint::Workload(i) => reach.workloads[i].qualified(),
        Endpoint::Outside(o) => o.name().to_string(),
    };
    let first_allowing = |a: &Answer| {
        a.ingress
            .allowing
            .first()
            .or(a.egress.allowing.first())
            .map(|r| {
                let mut text = format!("{} at {}", r.policy, place(&r.at, sources));
                if !r.ports.is_empty() {
                    let _ = write!(text, ", on {}", r.ports.join(", "));
                }
                text
            })
    };
    let why = |a: &Answer| {
        [&a.egress, &a.ingress]
            .into_iter()
            .filter(|s| s.verdict == a.verdict)
            .flat_map(|s| &s.reasons)
            .next()
            .cloned()
    };
    let mut out = String::new();
    let title = if from {
        format!("what {} can reach", name(end))
    } else {
        format!("what can reach {}", name(end))
    };
    match format {
        ReachFormat::Json => {
            let v: Vec<Value> = list
                .iter()
                .map(|(e, a)| {
                    let mut v = answer_json(a, sources);
                    v[if from { "to" } else { "from" }] = json!(name(*e));
                    v
                })
                .collect();
            let key = if from { "from" } else { "to" };
            out = serde_json::to_string_pretty(&json!({ key: name(end), "answers": v }))
                .unwrap_or_default()
                + "\n";
        }
        ReachFormat::Markdown => {
            let _ = writeln!(out, "### {}\n", capitalise(&title));
            let _ = writeln!(
                out,
                "| {} | Verdict | Why |\n|---|---|---|",
                if from { "Destination" } else { "Source" }
            );
            for (e, a) in list {
                let detail = match a.verdict {
                    Verdict::Allowed => first_allowing(a).unwrap_or_else(|| "not isolated".into()),
                    _ => why(a).unwrap_or_else(|| "no rule allows it".into()),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    md(&name(*e)),
                    symbol(a.verdict, true),
                    md(&detail)
                );
            }
        }
        _ => {
            let _ = writeln!(out, "{title} ✓ allowed, ✗ denied, ? cannot decide:");
            for (e, a) in list {
                let detail = match a.verdict {
                    Verdict::Allowed => first_allowing(a).map(|p| format!("  (allowed by {p})")),
                    Verdict::Unknown => why(a).map(|r| format!("  ({r})")),
                    Verdict::Denied => None,
                }
                .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} {} on {}{detail}",
                    symbol(a.verdict, false),
                    name(*e),
                    port_text(&a.port)
                );
            }
        }
    }
    out
}

fn side_json(s: &Side, sources: &[Source]) -> Value {
    json!({
        "verdict": s.verdict,
        "isolated": s.isolated,
        "policies": s.policies.iter().map(|p| json!({"policy": p.policy, "at": place_json(&p.at, sources)})).collect::<Vec<_>>(),
        "allowing": s.allowing.iter().map(|p| json!({"policy": p.policy, "at": place_json(&p.at, sources)})).collect::<Vec<_>>(),
        "reasons": s.reasons,
    })
}

fn answer_json(a: &Answer, sources: &[Source]) -> Value {
    json!({
        "verdict": a.verdict,
        "port": a.port,
        "egress": side_json(&a.egress, sources),
        "ingress": side_json(&a.ingress, sources),
    })
}

fn side_lines(out: &mut String, name: &str, s: &Side, sources: &[Source]) {
    let state = if s.isolated {
        format!(
            "{} ({} selecting polic{})",
            s.verdict.text(),
            s.policies.len(),
            if s.policies.len() == 1 { "y" } else { "ies" }
        )
    } else if s.verdict == Verdict::Unknown {
        "unknown".into()
    } else if !s.reasons.is_empty() {
        "not judged".into()
    } else {
        "not isolated".into()
    };
    let _ = writeln!(out, "  {name}: {state}");
    for r in &s.allowing {
        let _ = writeln!(
            out,
            "    allowed by {} at {}{}",
            r.policy,
            place(&r.at, sources),
            ports_note(&r.ports)
        );
    }
    if s.isolated && s.allowing.is_empty() {
        for p in &s.policies {
            let _ = writeln!(
                out,
                "    isolated by {} at {}",
                p.policy,
                place(&p.at, sources)
            );
        }
    }
    for r in &s.reasons {
        let _ = writeln!(out, "    {r}");
    }
}

fn render_answer(
    reach: &Reach,
    f: Endpoint,
    t: Endpoint,
    a: &Answer,
    sources: &[Source],
    format: ReachFormat,
) -> String {
    let name = |e: Endpoint| match e {
        Endpoint::Workload(i) => reach.workloads[i].qualified(),
        Endpoint::Outside(o) => o.name().to_string(),
    };
    let mut out = String::new();
    match format {
        ReachFormat::Json => {
            let mut v = answer_json(a, sources);
            v["from"] = json!(name(f));
            v["to"] = json!(name(t));
            out = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
        }
        _ => {
            let _ = writeln!(
                out,
                "{} → {} on {}: {}",
                name(f),
                name(t),
                port_text(&a.port),
                a.verdict.text()
            );
            side_lines(&mut out, "egress of the source", &a.egress, sources);
            side_lines(&mut out, "ingress of the destination", &a.ingress, sources);
        }
    }
    out
}

/// The port of an answer as the CLI prints it: `TCP 5432`, or `some port` for a query
/// without one, which asks whether any traffic at all is allowed (some port is open, not
/// every port: [`PortQuery::Any`]). The JSON keeps the model's value (`"any"`).
fn port_text(port: &PortQuery) -> String {
    match port {
        PortQuery::Any => "some port".into(),
        p => p.text(),
    }
}

/// ` (on TCP 5432)`: the ports an allowing rule opens, when the query named none.
fn ports_note(ports: &[String]) -> String {
    if ports.is_empty() {
        String::new()
    } else {
        format!(" (on {})", ports.join(", "))
    }
}

fn symbol(v: Verdict, markdown: bool) -> &'static str {
    match (v, markdown) {
        (Verdict::Allowed, false) => "✓",
        (Verdict::Denied, false) => "✗",
        (Verdict::Unknown, false) => "?",
        (Verdict::Allowed, true) => "✅",
        (Verdict::Denied, true) => "❌",
        (Verdict::Unknown, true) => "❓",
    }
}

/// A DOT string literal.
fn dot_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn ns_title(m: &NamespaceMatrix) -> String {
    match &m.namespace {
        Some(ns) => format!("namespace {ns}"),
        None => "objects without a namespace".into(),
    }
}

fn render_reach(ms: &[NamespaceMatrix], sources: &[Source], format: ReachFormat) -> String {
    let mut out = String::new();
    match format {
        ReachFormat::Json => {
            let v: Vec<Value> = ms
                .iter()
                .map(|m| {
                    json!({
                        "namespace": m.namespace,
                        "port": m.port,
                        "sources": m.sources,
                        "destinations": m.destinations,
                        "cells": m.cells.iter().map(|row| row.iter().map(|c| c.as_ref().map(|a| answer_json(a, sources))).collect::<Vec<_>>()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&json!({ "namespaces": v })).unwrap_or_default()
                + "\n";
        }
        ReachFormat::Human => {
            if ms.is_empty() {
                // Said, not an empty output that reads as a tool that did nothing.
                out.push_str("No workloads in the manifests: no reachability to show.\n");
            }
            for m in ms {
                let _ = writeln!(
                    out,
                    "{} ({}): ✓ allowed, ✗ denied, ? cannot decide",
                    ns_title(m),
                    port_text(&m.port)
                );
                for (j, d) in m.destinations.iter().enumerate() {
                    let _ = writeln!(out, "  [{}] {d}", j + 1);
                }
                let width = m
                    .sources
                    .iter()
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0);
                let _ = write!(out, "  {:width$}", "from \\ to");
                for j in 0..m.destinations.len() {
                    let _ = write!(out, " {:>3}", j + 1);
                }
                out.push('\n');
                for (i, s) in m.sources.iter().enumerate() {
                    let _ = write!(out, "  {s:width$}");
                    for c in &m.cells[i] {
                        let _ = write!(
                            out,
                            " {:>3}",
                            c.as_ref().map_or(" ", |a| symbol(a.verdict, false))
                        );
                    }
                    out.push('\n');
                }
                let mut reasons: Vec<String> = Vec::new();
                for (i, row) in m.cells.iter().enumerate() {
                    for (j, c) in row.iter().enumerate() {
                        if let Some(a) = c.as_ref().filter(|a| a.verdict == Verdict::Unknown) {
                            let why = [&a.egress, &a.ingress]
                                .into_iter()
                                .filter(|s| s.verdict == Verdict::Unknown)
                                .flat_map(|s| &s.reasons)
                                .next()
                                .cloned()
                                .unwrap_or_default();
                            reasons.push(format!("  ? {} → [{}]: {why}", m.sources[i], j + 1));
                        }
                    }
                }
                for r in reasons.iter().take(20) {
                    let _ = writeln!(out, "{r}");
                }
                if reasons.len() > 20 {
                    let _ = writeln!(out, "  ... and {} more cells that cannot be decided (--format json has every reason)", reasons.len() - 20);
                }
                out.push('\n');
            }
        }
        ReachFormat::Markdown => {
            if ms.is_empty() {
                out.push_str("No workloads in the manifests: no reachability to show.\n");
            }
            for m in ms {
                let _ = writeln!(
                    out,
                    "### {} ({})\n",
                    capitalise(&ns_title(m)),
                    port_text(&m.port)
                );
                out.push_str("| from \\ to |");
                for d in &m.destinations {
                    let _ = write!(out, " {} |", md(d));
                }
                out.push_str("\n|---|");
                out.push_str(&"---|".repeat(m.destinations.len()));
                out.push('\n');
                for (i, s) in m.sources.iter().enumerate() {
                    let _ = write!(out, "| {} |", md(s));
                    for c in &m.cells[i] {
                        let _ = write!(
                            out,
                            " {} |",
                            c.as_ref().map_or("", |a| symbol(a.verdict, true))
                        );
                    }
                    out.push('\n');
                }
                out.push('\n');
            }
            out.push_str("✅ allowed, ❌ denied, ❓ the manifests cannot decide\n");
        }
        ReachFormat::Dot => {
            out.push_str("digraph reach {\n  rankdir=LR;\n  node [shape=box];\n");
            for (k, m) in ms.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  subgraph cluster_{k} {{\n    label={};",
                    dot_string(&ns_title(m))
                );
                for (j, d) in m.destinations.iter().enumerate() {
                    let shape = if j < m.sources.len() - 1 {
                        "box"
                    } else {
                        "ellipse"
                    };
                    let _ = writeln!(
                        out,
                        "    n{k}_{j} [label={}, shape={shape}];",
                        dot_string(d)
                    );
                }
                out.push_str("  }\n");
                for (i, row) in m.cells.iter().enumerate() {
                    // The namespace's workloads, then the internet, are the first destinations.
                    for (j, c) in row.iter().enumerate() {
                        let style = match c.as_ref().map(|a| a.verdict) {
                            Some(Verdict::Allowed) if i != j => "solid",
                            Some(Verdict::Unknown) => "dashed",
                            _ => continue,
                        };
                        let _ = writeln!(out, "  n{k}_{i} -> n{k}_{j} [style={style}];");
                    }
                }
            }
            out.push_str("}\n");
        }
        ReachFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for (k, m) in ms.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "  subgraph ns{k}[\"{}\"]",
                    ns_title(m).replace('"', "'")
                );
                let id = |prefix: char, j: usize| format!("n{k}{prefix}{j}");
                for (j, d) in m.destinations.iter().enumerate() {
                    let _ = writeln!(out, "    {}[\"{}\"]", id('d', j), d.replace('"', "'"));
                }
                out.push_str("  end\n");
                for (i, row) in m.cells.iter().enumerate() {
                    // Sources that are also destinations (the namespace's workloads) share a node.
                    let from = if i < m.destinations.len() && m.destinations[i] == m.sources[i] {
                        id('d', i)
                    } else {
                        let n = id('s', i);
                        let _ = writeln!(out, "  {n}([\"{}\"])", m.sources[i].replace('"', "'"));
                        n
                    };
                    for (j, c) in row.iter().enumerate() {
                        match c.as_ref().map(|a| a.verdict) {
                            Some(Verdict::Allowed) if j != i || i >= m.destinations.len() => {
                                let _ = writeln!(out, "  {from} --> {}", id('d', j));
                            }
                            Some(Verdict::Unknown) => {
                                let _ = writeln!(out, "  {from} -.->|?| {}", id('d', j));
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    out
}
