//! CIDR arithmetic for NetworkPolicy `ipBlock`s, IPv4 and IPv6 (on the `ipnet` crate).
//!
//! Semantics, from k8s.io/api/networking/v1/types.go (`IPBlock`) and
//! pkg/apis/networking/validation/validation.go (`ValidateIPBlock`):
//! - `cidr` is parsed as Go's `net.ParseCIDR` does: host bits may be set
//!   (`10.0.0.1/8` is the network `10.0.0.0/8`);
//! - an address is allowed by the block iff `cidr` contains it and no `except` entry does;
//! - every `except` entry must be a strict subset of `cidr` ("Except values will be
//!   rejected if they are outside the cidr range"), so an `except` can never remove a whole
//!   `/32` (or `/128`) block: such a block can only be deleted.

use core::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

/// Parse a CIDR as `net.ParseCIDR` does (the prefix length is required; host bits are
/// masked off). Errors name the text.
pub fn parse(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if !text.contains('/') {
        return Err(format!(
            "{text:?} is not a CIDR: the prefix length (`/32`) is missing"
        ));
    }
    IpNet::from_str(text)
        .map(|n| n.trunc())
        .map_err(|_| format!("{text:?} is not a valid IPv4 or IPv6 CIDR"))
}

/// Whether `inner` is a strict subset of `outer` (same family, longer prefix, inside).
pub fn strictly_contains(outer: &IpNet, inner: &IpNet) -> bool {
    outer.contains(inner) && inner.prefix_len() > outer.prefix_len()
}

/// An `ipBlock`: a CIDR minus its exceptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: IpNet,
    pub except: Vec<IpNet>,
}

impl IpBlock {
    /// Whether traffic to (or from) `addr` is allowed by this block.
    pub fn allows(&self, addr: IpAddr) -> bool {
        self.cidr.contains(&addr) && !self.except.iter().any(|e| e.contains(&addr))
    }

    /// Whether the block covers every address of its family (`0.0.0.0/0`, `::/0`) with
    /// no exception.
    pub fn is_everything(&self) -> bool {
        self.cidr.prefix_len() == 0 && self.except.is_empty()
    }

    /// The single-address network `/32` or `/128` of `addr`, if `except` may hold it for
    /// this block (the block strictly contains it).
    pub fn can_except(&self, addr: IpAddr) -> Option<IpNet> {
        let host = IpNet::from(addr);
        strictly_contains(&self.cidr, &host).then_some(host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cidr: &str, except: &[&str]) -> IpBlock {
        IpBlock {
            cidr: parse(cidr).unwrap(),
            except: except.iter().map(|e| parse(e).unwrap()).collect(),
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const IMDS: &str = "169.254.169.254";
    const IMDS6: &str = "fd00:ec2::254";

    #[test]
    fn ipv4_blocks_contain_the_metadata_address_unless_excepted() {
        assert!(block("0.0.0.0/0", &[]).allows(ip(IMDS)));
        assert!(block("169.254.0.0/16", &[]).allows(ip(IMDS)));
        assert!(block("169.254.169.254/32", &[]).allows(ip(IMDS)));
        assert!(!block("169.254.169.255/32", &[]).allows(ip(IMDS)));
        assert!(!block("10.0.0.0/8", &[]).allows(ip(IMDS)));
        assert!(!block("0.0.0.0/0", &["169.254.169.254/32"]).allows(ip(IMDS)));
        assert!(!block("0.0.0.0/0", &["169.254.0.0/16"]).allows(ip(IMDS)));
        // An exception elsewhere leaves it reachable.
        assert!(block("0.0.0.0/0", &["169.254.170.23/32"]).allows(ip(IMDS)));
        // The boundaries of a /31 and a /30.
        assert!(block("169.254.169.254/31", &[]).allows(ip(IMDS)));
        assert!(block("169.254.169.252/30", &[]).allows(ip(IMDS)));
        assert!(!block("169.254.169.248/30", &[]).allows(ip(IMDS)));
    }

    #[test]
    fn families_do_not_mix() {
        assert!(!block("0.0.0.0/0", &[]).allows(ip(IMDS6)));
        assert!(!block("::/0", &[]).allows(ip(IMDS)));
        assert!(block("::/0", &[]).allows(ip(IMDS6)));
        assert!(block("fd00::/8", &[]).allows(ip(IMDS6)));
        assert!(block("fd00:ec2::/32", &[]).allows(ip(IMDS6)));
        assert!(!block("fd00:ec2::/32", &["fd00:ec2::254/128"]).allows(ip(IMDS6)));
        assert!(!block("fe80::/10", &[]).allows(ip(IMDS6)));
        // Excepting EKS Pod Identity's address leaves the metadata address reachable.
        assert!(block("::/0", &["fd00:ec2::23/128"]).allows(ip(IMDS6)));
    }

    #[test]
    fn host_bits_are_masked_as_go_parse_cidr_does() {
        assert_eq!(parse("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(
            parse("fd00:ec2::254/64").unwrap().to_string(),
            "fd00:ec2::/64"
        );
        assert!(block("169.254.169.1/16", &[]).allows(ip(IMDS)));
    }

    #[test]
    fn malformed_cidrs_are_errors() {
        assert!(parse("169.254.169.254")
            .unwrap_err()
            .contains("prefix length"));
        assert!(parse("169.254.169.254/33").is_err());
        assert!(parse("300.0.0.0/8").is_err());
        assert!(parse("::/129").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn an_exception_must_be_a_strict_subset() {
        let all = parse("0.0.0.0/0").unwrap();
        assert!(strictly_contains(
            &all,
            &parse("169.254.169.254/32").unwrap()
        ));
        assert!(!strictly_contains(&all, &all));
        assert!(!strictly_contains(&all, &parse("::/0").unwrap()));
        assert!(!strictly_contains(
            &parse("10.0.0.0/8").unwrap(),
            &parse("11.0.0.0/16").unwrap()
        ));
        assert_eq!(
            block("0.0.0.0/0", &[])
                .can_except(ip(IMDS))
                .map(|n| n.to_string()),
            Some("169.254.169.254/32".into())
        );
        assert_eq!(
            block("::/0", &[])
                .can_except(ip(IMDS6))
                .map(|n| n.to_string()),
            Some("fd00:ec2::254/128".into())
        );
        assert_eq!(block("169.254.169.254/32", &[]).can_except(ip(IMDS)), None);
        assert!(block("0.0.0.0/0", &[]).is_everything());
        assert!(!block("0.0.0.0/0", &["10.0.0.0/8"]).is_everything());
        assert!(!block("0.0.0.0/1", &[]).is_everything());
    }
}
