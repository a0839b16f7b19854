//! Kubernetes minor versions (`v1.NN`), the unit every version-aware rule speaks.

use std::fmt;
use std::str::FromStr;

/// A Kubernetes version `1.minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub minor: u32,
}

impl KubeVersion {
    /// The newest version whose Pod Security Standards this catalogue knows. Newer
    /// targets are checked with these semantics, as the reference admission
    /// controller does for versions newer than itself.
    pub const LATEST: KubeVersion = KubeVersion { minor: 37 };

    pub const fn new(minor: u32) -> Self {
        KubeVersion { minor }
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::LATEST
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

impl FromStr for KubeVersion {
    type Err = String;

    /// Accepts `1.NN`, `v1.NN` and `latest`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t == "latest" {
            return Ok(KubeVersion::LATEST);
        }
        let t = t.strip_prefix('v').unwrap_or(t);
        let bad = || format!("invalid Kubernetes version {s:?}: expected 1.NN, v1.NN or latest");
        let (major, minor) = t.split_once('.').ok_or_else(bad)?;
        let minor = minor.split_once('.').map_or(minor, |(m, _patch)| m);
        if major != "1"
            || minor.is_empty()
            || !minor.bytes().all(|b| b.is_ascii_digit())
            || minor.len() > 3
        {
            return Err(bad());
        }
        minor.parse().map(KubeVersion::new).map_err(|_| bad())
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
        assert_eq!("latest".parse(), Ok(KubeVersion::LATEST));
        assert!("2.1".parse::<KubeVersion>().is_err());
        assert!("1.x".parse::<KubeVersion>().is_err());
        assert!("".parse::<KubeVersion>().is_err());
        assert_eq!(KubeVersion::new(8).to_string(), "v1.8");
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
