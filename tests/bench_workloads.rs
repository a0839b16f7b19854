//! The benches' hardened workload is what its name says: a namespace of hardened
//! Deployments on which no rule of any profile finds anything, so that the throughput bench's
//! "hardened Deployments" row measures the engine on manifests that pass (benches/workloads.rs).

#[allow(dead_code)] // the other workloads are the benches'
#[path = "../benches/workloads.rs"]
mod workloads;

use kubeharden::{Engine, Options, Profile, Source};

#[test]
fn the_hardened_stream_has_no_findings_under_any_profile() {
    let (deployments, n) = workloads::stream(workloads::HARDENED, 2_000);
    assert!(n > 40, "{n} Deployments");
    let text = format!("{}{deployments}", workloads::HARDENED_NAMESPACE);
    let sources = [Source::new("hardened", text)];
    for profile in [Profile::Baseline, Profile::Restricted, Profile::All] {
        let report = Engine::new(Options {
            profile,
            ..Options::default()
        })
        .check(&sources);
        let ids: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
        assert!(ids.is_empty(), "{profile:?}: {ids:?}");
        assert!(report.errors.is_empty(), "{profile:?}: {:?}", report.errors);
        assert_eq!(report.unchecked().count(), 0, "{profile:?}");
    }
}
