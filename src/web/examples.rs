//! The example gallery: manifests from `www/examples/`. The first line of each file is
//! `# title: …`. Only the first example (what a new visitor sees, and what a damaged link
//! or autosave falls back to) is compiled into the app; the others are fetched from
//! `examples/<stem>.yaml` (Trunk copies `www/examples/` into the site) when chosen, which
//! keeps their text out of the WebAssembly download.

/// An example: its file stem (`data-example` in the page) and its title (the file's
/// `# title:` line; a test keeps the two equal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    pub stem: &'static str,
    pub title: &'static str,
    /// Its one-line description (the file's `# description:` line).
    pub description: &'static str,
}

impl Example {
    /// Where the example's text is, relative to the page.
    pub fn url(&self) -> String {
        format!("examples/{}.yaml", self.stem)
    }
}

/// In gallery order; the first one is what a new visitor sees.
pub const EXAMPLES: &[Example] = &[
    Example {
        stem: "insecure-deployment",
        title: "Insecure Deployment",
        description: "A first-draft Deployment with the classic mistakes: root, privilege escalation, added capabilities, a host port, no limits, a password in plain text.",
    },
    Example {
        stem: "privileged-daemonset",
        title: "Privileged node agent (DaemonSet)",
        description: "A node agent with the keys to the node: privileged, host PID, network and IPC namespaces, the Docker socket and / mounted from the host.",
    },
    Example {
        stem: "rbac-wildcards",
        title: "RBAC wildcards",
        description: "An operator bound cluster-wide to roles with * verbs and resources, escalate, bind and impersonate; its Deployment is checked too.",
    },
    Example {
        stem: "metadata-egress",
        title: "Cloud metadata exposure",
        description: "Three roads to the cloud metadata endpoint 169.254.169.254: the host network, egress to 0.0.0.0/0, and probes the kubelet sends for you.",
    },
    Example {
        stem: "deprecated-apis",
        title: "Deprecated API versions",
        description: "An old chart: extensions/v1beta1 Deployment and Ingress, a PodSecurityPolicy, a batch/v1beta1 CronJob and :latest images. Try older Kubernetes versions.",
    },
    Example {
        stem: "cronjob-init-containers",
        title: "CronJob with init containers",
        description: "A nightly backup with a good pod-level securityContext that an init container and a sidecar override at container level.",
    },
    Example {
        stem: "multi-document-app",
        title: "Multi-document app",
        description: "Namespace, ConfigMap, Secret, Deployment, Service and NetworkPolicy in one stream; the findings point into the one document that needs work.",
    },
    Example {
        stem: "suppressions",
        title: "Suppressing findings",
        description: "A CNI agent whose accepted risks are recorded as ignore.kubeharden.io annotations, with a reason; an empty reason or unknown rule is a finding itself.",
    },
    Example {
        stem: "yaml-pitfalls",
        title: "YAML pitfalls",
        description: "Looks fine, means otherwise: a duplicated key, `privileged: yes` (YAML 1.1 true), a boolean written as a string, settings shared through an anchor.",
    },
    Example {
        stem: "hardened",
        title: "Hardened Deployment",
        description: "Passes every rule: non-root, read-only root filesystem, all capabilities dropped, RuntimeDefault seccomp, no token, CPU and memory limits, an image pinned by digest, default-deny network policies.",
    },
];

/// The text of `EXAMPLES[0]`, compiled in.
pub const FIRST_TEXT: &str = include_str!("../../www/examples/insecure-deployment.yaml");

#[cfg(test)]
mod tests {
    use super::*;

    /// The `# title:` line of an example's text, if it has one.
    fn title_of(text: &str) -> Option<&str> {
        text.lines()
            .find_map(|l| l.strip_prefix("# title:"))
            .map(str::trim)
    }

    fn description_of(text: &str) -> Option<&str> {
        text.lines()
            .find_map(|l| l.strip_prefix("# description:"))
            .map(str::trim)
    }

    #[test]
    fn every_example_file_is_in_the_gallery_with_its_title_and_a_distinct_stem() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/www/examples");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        files.sort();
        let mut stems: Vec<String> = EXAMPLES
            .iter()
            .map(|e| format!("{}.yaml", e.stem))
            .collect();
        stems.sort();
        assert_eq!(files, stems, "www/examples/ and EXAMPLES differ");
        for e in EXAMPLES {
            let text = std::fs::read_to_string(format!("{dir}/{}.yaml", e.stem)).unwrap();
            assert_eq!(title_of(&text), Some(e.title), "{}", e.stem);
            assert_eq!(description_of(&text), Some(e.description), "{}", e.stem);
        }
        assert_eq!(
            FIRST_TEXT,
            std::fs::read_to_string(format!("{dir}/{}.yaml", EXAMPLES[0].stem)).unwrap()
        );
        assert_eq!(EXAMPLES[1].url(), "examples/privileged-daemonset.yaml");
        assert_eq!(title_of("a: 1\n"), None);
    }
}
