//! The 29 rules of the catalogue of commit e4b565d, before the whole-bundle engine: the
//! benchmarks also run with only these, to compare the architecture with the old code on
//! equal terms.

pub const BEFORE: [&str; 29] = [
    "allow-privilege-escalation",
    "apparmor-override",
    "capabilities-baseline",
    "capabilities-restricted",
    "container-runtime-socket",
    "cpu-limits",
    "duplicate-key",
    "host-namespaces",
    "host-path-volumes",
    "host-ports",
    "host-probes",
    "invalid-field-type",
    "invalid-suppression",
    "memory-limits",
    "net-raw-capability",
    "privileged-container",
    "proc-mount-restricted",
    "proc-mount-unmasked",
    "read-only-root-filesystem",
    "restricted-volume-types",
    "run-as-non-root",
    "run-as-user-root",
    "seccomp-required",
    "seccomp-unconfined",
    "secret-in-env",
    "selinux-override",
    "sensitive-host-path",
    "unsafe-sysctls",
    "windows-host-process",
];

pub fn rules() -> Vec<String> {
    BEFORE.iter().map(|s| s.to_string()).collect()
}
