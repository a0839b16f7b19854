//! The example gallery: manifests from `www/examples/`, compiled into the app. The first
//! line of each file is `# title: …`.

/// An example: its file stem (`data-example` in the page) and its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    pub stem: &'static str,
    pub text: &'static str,
}

impl Example {
    /// The `# title:` line, or "Example".
    pub fn title(&self) -> &'static str {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix("# title:"))
            .map_or("Example", str::trim)
    }
}

macro_rules! examples {
    ($($stem:literal),* $(,)?) => {
        &[$(Example {
            stem: $stem,
            text: include_str!(concat!("../../www/examples/", $stem, ".yaml")),
        }),*]
    };
}

/// In gallery order; the first one is what a new visitor sees.
pub const EXAMPLES: &[Example] = examples![
    "insecure-deployment",
    "privileged-daemonset",
    "rbac-wildcards",
    "metadata-egress",
    "deprecated-apis",
    "cronjob-init-containers",
    "multi-document-app",
    "suppressions",
    "yaml-pitfalls",
    "hardened",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_has_a_title_and_a_distinct_stem() {
        for (i, e) in EXAMPLES.iter().enumerate() {
            assert_ne!(e.title(), "Example", "{} has no # title: line", e.stem);
            assert!(EXAMPLES[..i].iter().all(|o| o.stem != e.stem), "{}", e.stem);
        }
        let untitled = Example {
            stem: "x",
            text: "a: 1\n",
        };
        assert_eq!(untitled.title(), "Example");
    }
}
