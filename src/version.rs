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
}
