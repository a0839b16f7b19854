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
    },
    Example {
        stem: "privileged-daemonset",
        title: "Privileged node agent (DaemonSet)",
    },
    Example {
        stem: "rbac-wildcards",
        title: "RBAC wildcards",
    },
    Example {
        stem: "metadata-egress",
        title: "Cloud metadata exposure",
    },
    Example {
        stem: "deprecated-apis",
        title: "Deprecated API versions",
    },
    Example {
        stem: "cronjob-init-containers",
        title: "CronJob with init containers",
    },
    Example {
        stem: "multi-document-app",
        title: "Multi-document app",
    },
    Example {
        stem: "suppressions",
        title: "Suppressing findings",
    },
    Example {
        stem: "yaml-pitfalls",
        title: "YAML pitfalls",
    },
    Example {
        stem: "hardened",
        title: "Hardened Deployment",
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
        }
        assert_eq!(
            FIRST_TEXT,
            std::fs::read_to_string(format!("{dir}/{}.yaml", EXAMPLES[0].stem)).unwrap()
        );
        assert_eq!(EXAMPLES[1].url(), "examples/privileged-daemonset.yaml");
        assert_eq!(title_of("a: 1\n"), None);
    }
}
