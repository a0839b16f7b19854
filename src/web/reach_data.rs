//! The Reach view's data (pure: no web-sys, tested natively by `tests/playground_state.rs`):
//! the NetworkPolicy reachability matrix of one namespace of the text (its workloads and the
//! internet as sources; its workloads, the internet, the cloud metadata endpoint, the kubelet
//! and cluster DNS as destinations) from the library's reachability model
//! ([`kubeharden::access::reach`]), with [`Verdict::Unknown`] where the manifests cannot
//! decide, and the port field's parser. Used by the view (`reach_view.rs`) in the
//! playground's extras (src/web/extras_main.rs).

use kubeharden::access::reach::{Endpoint, Outside, PortQuery, Reach, RuleRef, Side, Verdict};
use kubeharden::access::with_bundle;
use kubeharden::yaml::Limits;
use kubeharden::{KubeVersion, Source};

use crate::access_data::{line_of, utf16, yaml_errors, YamlErrorView};

/// A policy place as the tab shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceView {
    pub policy: String,
    /// (from, to, line) in the editor.
    pub at: (usize, usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SideView {
    pub verdict: Verdict,
    pub isolated: bool,
    pub policies: Vec<PlaceView>,
    pub allowing: Vec<PlaceView>,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CellView {
    pub verdict: Verdict,
    pub egress: SideView,
    pub ingress: SideView,
}

impl CellView {
    /// Where a click goes: the first allowing rule, else the first policy (egress first).
    pub fn target(&self) -> Option<(usize, usize, usize)> {
        let sides = [&self.egress, &self.ingress];
        sides
            .iter()
            .find_map(|s| s.allowing.first())
            .or_else(|| sides.iter().find_map(|s| s.policies.first()))
            .map(|p| p.at)
    }
}

/// One namespace's matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachData {
    /// Every namespace with workloads (`None`: objects without a namespace).
    pub namespaces: Vec<Option<String>>,
    pub namespace: Option<String>,
    pub port: String,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    /// Which destinations are outside the bundle (the last five).
    pub outside: Vec<bool>,
    pub cells: Vec<Vec<Option<CellView>>>,
    /// How many workloads the namespace has.
    pub workloads: usize,
    /// YAML errors: their documents are left out, as `kubeharden reach` leaves them out.
    pub errors: Vec<YamlErrorView>,
    /// What the answers depend on beyond the policies as written ([`Reach::notes`]: below
    /// v1.22, ports whose `endPort` the API server drops), as `kubeharden reach` prints them.
    pub notes: Vec<String>,
}

fn place(text: &str, r: &RuleRef) -> PlaceView {
    let from = r.at.span.start.min(text.len());
    let to = r.at.span.end.max(from).min(text.len());
    PlaceView {
        policy: r.policy.clone(),
        at: (utf16(text, from), utf16(text, to), line_of(text, from)),
    }
}

fn side(text: &str, s: &Side) -> SideView {
    SideView {
        verdict: s.verdict,
        isolated: s.isolated,
        policies: s.policies.iter().map(|r| place(text, r)).collect(),
        allowing: s.allowing.iter().map(|r| place(text, r)).collect(),
        reasons: s.reasons.clone(),
    }
}

/// `any`, `5432`, `TCP 5432`, `udp/53`, `53/UDP` as a port query.
pub fn parse_port(text: &str) -> Result<PortQuery, String> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("any") {
        return Ok(PortQuery::Any);
    }
    let parts: Vec<&str> = t
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    let (proto, port) = match parts.as_slice() {
        [p] => ("TCP", *p),
        [a, b] if a.parse::<i64>().is_ok() => (*b, *a),
        [a, b] => (*a, *b),
        _ => return Err(format!("{t:?}: write any, PORT or PROTOCOL PORT")),
    };
    let port: i64 = port
        .parse()
        .ok()
        .filter(|p| (1..=65535).contains(p))
        .ok_or_else(|| format!("{port:?} is not a port (1-65535)"))?;
    let protocol = proto.to_ascii_uppercase();
    if !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP") {
        return Err(format!("{proto:?} is not TCP, UDP or SCTP"));
    }
    Ok(PortQuery::Port { protocol, port })
}

/// The matrix of `namespace` (`None` given: the first namespace with workloads) of `text`
/// for `port` at `version` (below v1.22 the API server drops `endPort`), as `kubeharden
/// reach --kube-version` answers.
pub fn reach_data(
    text: &str,
    namespace: Option<&str>,
    port: &PortQuery,
    version: KubeVersion,
) -> ReachData {
    let sources = [Source::new("manifest.yaml", text)];
    let (data, errors) = with_bundle(&sources, &Limits::default(), |b| {
        let reach = Reach::with_version(b, version);
        let namespaces = reach.namespaces();
        let ns: Option<String> = match namespace {
            Some(n) if namespaces.iter().any(|x| x.as_deref() == Some(n)) => Some(n.to_string()),
            _ => namespaces.first().cloned().flatten(),
        };
        let m = reach.matrix(ns.as_deref(), port);
        ReachData {
            workloads: reach.in_namespace(ns.as_deref()).len(),
            namespaces,
            namespace: ns,
            // "some port" as the CLI says it: the question is whether any port is allowed.
            port: match port {
                PortQuery::Any => "some port".into(),
                p => p.text(),
            },
            outside: m
                .endpoints_to
                .iter()
                .map(|e| matches!(e, Endpoint::Outside(_)))
                .collect(),
            destinations: m
                .endpoints_to
                .iter()
                .map(|e| match e {
                    Endpoint::Outside(Outside::Internet) => "the internet".to_string(),
                    Endpoint::Outside(Outside::Metadata) => "metadata 169.254.169.254".to_string(),
                    Endpoint::Outside(Outside::MetadataV6) => "metadata fd00:ec2::254".to_string(),
                    Endpoint::Outside(Outside::Kubelet) => "kubelet :10250".to_string(),
                    Endpoint::Outside(Outside::Dns) => "cluster DNS".to_string(),
                    e => reach.label(*e),
                })
                .collect(),
            sources: m.sources.clone(),
            cells: m
                .cells
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| {
                            c.as_ref().map(|a| CellView {
                                verdict: a.verdict,
                                egress: side(text, &a.egress),
                                ingress: side(text, &a.ingress),
                            })
                        })
                        .collect()
                })
                .collect(),
            errors: Vec::new(),
            notes: reach.notes(),
        }
    });
    ReachData {
        errors: yaml_errors(text, &errors),
        ..data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = include_str!("../../www/examples/metadata-egress.yaml");

    fn cell<'d>(d: &'d ReachData, from: &str, to: &str) -> &'d CellView {
        let r = d.sources.iter().position(|s| s == from).unwrap();
        let c = d.destinations.iter().position(|s| s == to).unwrap();
        d.cells[r][c].as_ref().unwrap()
    }

    #[test]
    fn ports_are_any_a_number_or_a_protocol_and_a_number() {
        let port = |protocol: &str, port| PortQuery::Port {
            protocol: protocol.into(),
            port,
        };
        assert_eq!(parse_port(""), Ok(PortQuery::Any));
        assert_eq!(parse_port(" ANY "), Ok(PortQuery::Any));
        assert_eq!(parse_port("5432"), Ok(port("TCP", 5432)));
        assert_eq!(parse_port("TCP 5432"), Ok(port("TCP", 5432)));
        assert_eq!(parse_port("udp/53"), Ok(port("UDP", 53)));
        assert_eq!(parse_port("53/UDP"), Ok(port("UDP", 53)));
        assert_eq!(parse_port("sctp 9"), Ok(port("SCTP", 9)));
        assert_eq!(
            parse_port("0").unwrap_err(),
            "\"0\" is not a port (1-65535)"
        );
        assert!(parse_port("70000").is_err());
        assert_eq!(
            parse_port("ICMP 1").unwrap_err(),
            "\"ICMP\" is not TCP, UDP or SCTP"
        );
        assert!(parse_port("tcp 1 2").is_err());
        assert!(parse_port("http").is_err());
    }

    #[test]
    fn the_metadata_example_cannot_decide_on_the_host_network_and_allows_it_off_it() {
        let d = reach_data(METADATA, None, &PortQuery::Any, KubeVersion::LATEST);
        assert_eq!(d.namespace.as_deref(), Some("reports"));
        assert_eq!(d.workloads, 1);
        assert_eq!(d.outside.iter().filter(|o| **o).count(), 5);
        let c = cell(&d, "Deployment report-builder", "metadata 169.254.169.254");
        assert_eq!(c.verdict, Verdict::Unknown);
        assert!(c.egress.reasons.iter().any(|r| r.contains("hostNetwork")));
        // A click goes to the allowing rule: the ipBlock peer.
        let line = METADATA
            .lines()
            .position(|l| l.contains("- ipBlock:"))
            .unwrap()
            + 1;
        assert_eq!(c.target().map(|t| t.2), Some(line));
        assert_eq!(
            c.egress.allowing[0].policy,
            "NetworkPolicy reports/allow-all-egress"
        );

        let off = METADATA.replace("hostNetwork: true", "hostNetwork: false");
        let d = reach_data(
            &off,
            Some("reports"),
            &parse_port("TCP 80").unwrap(),
            KubeVersion::LATEST,
        );
        assert_eq!(d.port, "TCP 80");
        let c = cell(&d, "Deployment report-builder", "metadata 169.254.169.254");
        assert_eq!(c.verdict, Verdict::Allowed);
    }

    #[test]
    fn an_unknown_namespace_shows_the_first_and_no_workloads_show_none() {
        let d = reach_data(
            METADATA,
            Some("elsewhere"),
            &PortQuery::Any,
            KubeVersion::LATEST,
        );
        assert_eq!(d.namespace.as_deref(), Some("reports"));
        let d = reach_data(
            "kind: ConfigMap\n",
            None,
            &PortQuery::Any,
            KubeVersion::LATEST,
        );
        assert_eq!(d.workloads, 0);
        let d = reach_data("a: [\n", None, &PortQuery::Any, KubeVersion::LATEST);
        assert_eq!(d.workloads, 0);
    }

    #[test]
    fn a_yaml_error_is_named_and_its_document_left_out() {
        let d = reach_data("a: [\n", None, &PortQuery::Any, KubeVersion::LATEST);
        assert_eq!(d.errors.len(), 1, "{d:?}");
        let e = &d.errors[0];
        assert_eq!((e.document, e.line), (1, 1), "{e:?}");
        assert!(!e.message.is_empty());
        assert!(e
            .text()
            .starts_with("YAML error in document 1 at line 1, column "));
        // The other documents are still drawn.
        let text = format!("{METADATA}\n---\nkey: [unclosed\n");
        let d = reach_data(&text, None, &PortQuery::Any, KubeVersion::LATEST);
        assert_eq!(d.workloads, 1);
        assert_eq!(d.errors.len(), 1);
        assert!(
            d.errors[0].line > METADATA.lines().count(),
            "{:?}",
            d.errors
        );
        assert!(
            reach_data(METADATA, None, &PortQuery::Any, KubeVersion::LATEST)
                .errors
                .is_empty()
        );
    }
}
