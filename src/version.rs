//! Kubernetes versions: a minor release line (`v1.NN`), the unit every version-aware rule
//! speaks, optionally with its patch release (`v1.NN.P`), which only the known-CVE rules read.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// A Kubernetes version `1.minor`, optionally `1.minor.patch`.
///
/// Equality, order and hash are by `minor` only: a version names a release line, and the
/// rules that compare versions (served APIs, Pod Security Standards) behave the same in
/// every patch release of a line, so `v1.25.3 == v1.25` and `v1.25.3 < v1.26`. The patch is
/// detail for the rules whose answer changes within a line (`kube-version-cves`, the
/// known-CVE pattern rules): read it with [`KubeVersion::patch`].
#[derive(Clone, Copy, Debug)]
pub struct KubeVersion {
    pub minor: u32,
    /// The patch release (`3` in `1.25.3`); `None` when only the minor was given.
    pub patch: Option<u32>,
}

impl PartialEq for KubeVersion {
    fn eq(&self, other: &Self) -> bool {
        self.minor == other.minor
    }
}

impl Eq for KubeVersion {}

impl PartialOrd for KubeVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KubeVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.minor.cmp(&other.minor)
    }
}

impl Hash for KubeVersion {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.minor.hash(state);
    }
}

impl KubeVersion {
    /// The newest version whose Pod Security Standards this catalogue knows. Newer
    /// targets are checked with these semantics, as the reference admission
    /// controller does for versions newer than itself.
    pub const LATEST: KubeVersion = KubeVersion {
        minor: 37,
        patch: None,
    };

    /// The release line `1.minor`, no patch.
    pub const fn new(minor: u32) -> Self {
        KubeVersion { minor, patch: None }
    }

    /// The patch release `1.minor.patch`.
    pub const fn with_patch(minor: u32, patch: u32) -> Self {
        KubeVersion {
            minor,
            patch: Some(patch),
        }
    }

    /// Whether both name the same release: same minor and same patch (or both none),
    /// unlike `==`, which compares the minor only.
    pub fn same_release(&self, other: &KubeVersion) -> bool {
        (self.minor, self.patch) == (other.minor, other.patch)
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::LATEST
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "v1.{}.{p}", self.minor),
            None => write!(f, "v1.{}", self.minor),
        }
    }
}

impl FromStr for KubeVersion {
    type Err = String;

    /// Accepts `1.NN`, `1.NN.P`, `v1.NN`, `v1.NN.P` and `latest`. Each number is decimal
    /// without a leading zero (`1.09` is refused, not read as 1.9: Kubernetes never writes
    /// one), the minor at most three digits. A vendor suffix (`1.29.3-gke.100`, `+k3s1`) is
    /// refused: vendor builds carry their own backports, so the upstream patch level would
    /// not say which CVEs are fixed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t == "latest" {
            return Ok(KubeVersion::LATEST);
        }
        let t = t.strip_prefix('v').unwrap_or(t);
        let expected = "expected 1.NN, 1.NN.P (a patch release), v1.NN[.P] or latest";
        let bad = |why: &str| format!("invalid Kubernetes version {s:?}: {why}{expected}");
        if let Some(at) = t.find(['-', '+']) {
            return Err(bad(&format!(
                "{:?} is a pre-release or vendor build suffix, which kubeharden cannot map to upstream fixes (give the upstream version it is based on); ",
                &t[at..]
            )));
        }
        let mut parts = t.split('.');
        let (Some(major), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(bad(""));
        };
        let patch = parts.next();
        if parts.next().is_some() || major != "1" {
            return Err(bad(""));
        }
        let number = |text: &str, what: &str, max_len: usize| -> Result<u32, String> {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > max_len
            {
                return Err(bad(""));
            }
            if text.len() > 1 && text.starts_with('0') {
                let plain = text.trim_start_matches('0');
                let plain = if plain.is_empty() { "0" } else { plain };
                return Err(bad(&format!(
                    "the {what} {text:?} has a leading zero (Kubernetes versions have none: write {plain}); "
                )));
            }
            text.parse().map_err(|_| bad(""))
        };
        let minor = number(minor, "minor version", 3)?;
        let patch = patch.map(|p| number(p, "patch release", 4)).transpose()?;
        Ok(KubeVersion { minor, patch })
    }
}

/// Deserialised from a string in any spelling [`FromStr`] accepts (`"1.25"`, `"v1.25"`,
/// `"latest"`). A number is refused: YAML reads an unquoted `1.30` as 1.3.
impl<'de> serde::Deserialize<'de> for KubeVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = KubeVersion;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a quoted Kubernetes version such as \"1.25\" (unquoted, 1.30 would read as 1.3)")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<KubeVersion, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_accepted_spellings() {
        assert_eq!("1.25".parse(), Ok(KubeVersion::new(25)));
        assert_eq!("v1.0".parse(), Ok(KubeVersion::new(0)));
        assert_eq!("v1.30.2".parse(), Ok(KubeVersion::new(30)));
        let v: KubeVersion = "v1.30.2".parse().unwrap();
        assert_eq!(v.patch, Some(2));
        assert!(v.same_release(&KubeVersion::with_patch(30, 2)));
        assert!(!v.same_release(&KubeVersion::new(30)));
        assert_eq!("1.25".parse::<KubeVersion>().unwrap().patch, None);
        assert_eq!("1.25.0".parse::<KubeVersion>().unwrap().patch, Some(0));
        assert_eq!("latest".parse(), Ok(KubeVersion::LATEST));
        assert!("2.1".parse::<KubeVersion>().is_err());
        assert!("1.x".parse::<KubeVersion>().is_err());
        assert!("".parse::<KubeVersion>().is_err());
        assert_eq!(KubeVersion::new(8).to_string(), "v1.8");
        assert_eq!(KubeVersion::with_patch(25, 3).to_string(), "v1.25.3");
    }

    #[test]
    fn refuses_leading_zeros_extra_parts_and_suffixes_with_the_reason() {
        let e = "1.09".parse::<KubeVersion>().unwrap_err();
        assert!(e.contains("leading zero") && e.contains("write 9"), "{e}");
        let e = "1.25.03".parse::<KubeVersion>().unwrap_err();
        assert!(
            e.contains("patch release \"03\"") && e.contains("write 3"),
            "{e}"
        );
        assert!("1.00"
            .parse::<KubeVersion>()
            .unwrap_err()
            .contains("write 0"));
        assert_eq!("1.0".parse(), Ok(KubeVersion::new(0)));
        assert_eq!("1.10".parse(), Ok(KubeVersion::new(10)));
        for bad in [
            "1.25.x",
            "1.25.",
            "1.25.3.1",
            "1.",
            "01.25",
            "1.2500",
            "1.25.12345",
        ] {
            assert!(bad.parse::<KubeVersion>().is_err(), "{bad} parsed");
        }
        let e = "v1.29.3-gke.100".parse::<KubeVersion>().unwrap_err();
        assert!(e.contains("vendor build suffix"), "{e}");
    }

    #[test]
    fn compares_by_minor_only() {
        let p = KubeVersion::with_patch(25, 3);
        assert_eq!(p, KubeVersion::new(25));
        assert!(p < KubeVersion::new(26) && p > KubeVersion::new(24));
        assert!(p <= KubeVersion::new(25) && p >= KubeVersion::new(25));
    }

    #[test]
    fn deserialises_quoted_versions_and_refuses_numbers() {
        let v: KubeVersion = serde_json::from_str("\"1.25\"").unwrap();
        assert_eq!(v, KubeVersion::new(25));
        let e = serde_json::from_str::<KubeVersion>("1.3")
            .unwrap_err()
            .to_string();
        assert!(e.contains("quoted Kubernetes version"), "{e}");
        let e = serde_json::from_str::<KubeVersion>("\"1.x\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("invalid Kubernetes version \"1.x\""), "{e}");
    }
}
