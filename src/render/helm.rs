//! The chart template a rendered document came from: `helm template` writes
//! `# Source: <chart>/templates/<file>.yaml` as the first line of each document it renders
//! (helm.sh/helm `pkg/action/action.go`, `renderResources`: `fmt.Fprintf(b, "---\n# Source:
//! %s\n%s\n", m.Name, m.Content)`), so a finding in that stream names the file to edit.

/// The `# Source:` comments of one text and where its documents start.
#[derive(Debug, Default)]
pub(crate) struct HelmIndex<'t> {
    /// (offset of the comment, the template's path), in text order.
    sources: Vec<(usize, &'t str)>,
    /// Offsets of `---` document separators, in text order.
    separators: Vec<usize>,
}

impl<'t> HelmIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let mut index = HelmIndex::default();
        // Cheap for text that has no `# Source:` line: most inputs.
        if !text.contains("# Source: ") {
            return index;
        }
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let l = line.trim_end_matches(['\n', '\r']);
            if let Some(path) = l.strip_prefix("# Source: ") {
                let path = path.trim();
                if !path.is_empty() {
                    index.sources.push((offset, path));
                }
            } else if l.starts_with("---")
                && l[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
            {
                index.separators.push(offset);
            }
            offset += line.len();
        }
        index
    }

    /// The template of the document holding `offset`: the last `# Source:` comment
    /// before it with no document separator in between.
    pub(crate) fn template(&self, offset: usize) -> Option<&'t str> {
        let i = self.sources.partition_point(|(at, _)| *at <= offset);
        let (at, path) = self.sources.get(i.checked_sub(1)?)?;
        let sep = self.separators.partition_point(|s| *s <= offset);
        let last_sep = sep.checked_sub(1).map(|j| self.separators[j]);
        match last_sep {
            Some(s) if s > *at => None,
            _ => Some(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HelmIndex;

    #[test]
    fn each_document_has_the_template_of_its_own_comment() {
        let text = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\n---\napiVersion: v1\nkind: ConfigMap\n";
        let h = HelmIndex::new(text);
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(
            h.template(at("kind: ServiceAccount")),
            Some("web/templates/sa.yaml")
        );
        assert_eq!(h.template(at("apps/v1")), Some("web/templates/deploy.yaml"));
        // A document without a comment of its own has none.
        assert_eq!(h.template(at("kind: ConfigMap")), None);
        assert_eq!(HelmIndex::new("kind: Pod\n").template(3), None);
        // `----` or `---x` is not a separator; `--- ` with content is.
        let t = "# Source: a/templates/x.yaml\n--- !tag\nkind: Pod\n";
        assert_eq!(HelmIndex::new(t).template(t.find("kind").unwrap()), None);
    }
}
