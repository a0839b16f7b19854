//! Fixing a 5,000-line manifest with hundreds of findings, against checking it.
//! Run with `cargo bench --bench fix` (or `make bench`).

use std::time::{Duration, Instant};

use kubeharden::fix::{fix, FixOptions};
use kubeharden::{Engine, Options};

const WORKLOAD: &str = "---
# Deployment NAME: an insecure web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: shop
  labels: {app: NAME}
spec:
  replicas: 2
  selector:
    matchLabels: {app: NAME}
  template:
    metadata:
      labels: {app: NAME}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
              hostPort: 80   # exposed on the node
          securityContext:
            privileged: true
            capabilities:
              add: [NET_ADMIN, SYS_TIME]
          env:
            - name: MODE
              value: production
        - name: sidecar
          image: busybox:1.36
          securityContext: {runAsNonRoot: false}
      initContainers:
        - name: setup
          image: busybox:1.36
          securityContext:
            procMount: Unmasked
";

/// A mostly hardened workload: a few findings each (hundreds in the whole file).
const TYPICAL: &str = "---
# Deployment NAME: the API tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: shop
  labels: {app: NAME}
spec:
  replicas: 3
  selector:
    matchLabels: {app: NAME}
  template:
    metadata:
      labels: {app: NAME}
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: registry.example.com/shop/api:2.4.1
          ports:
            - containerPort: 8080
          resources:
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            readOnlyRootFilesystem: true
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {}
";

fn measure(runs: usize, mut f: impl FnMut() -> usize) -> Duration {
    let mut times = Vec::new();
    f();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2]
}

#[path = "before.rs"]
mod before;

fn main() {
    for (label, workload) in [("dense", WORKLOAD), ("typical", TYPICAL)] {
        run(label, workload);
    }
}

fn run(label: &str, workload: &str) {
    let mut text = String::new();
    let mut i = 0;
    while text.lines().count() < 5000 {
        text.push_str(&workload.replace("NAME", &format!("web-{i}")));
        i += 1;
    }
    let engine = Engine::new(Options::default());
    let report = engine.check_text(&text);
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let result = fix(&text, &options);
    let check = measure(11, || engine.check_text(&text).findings.len());
    let fixing = measure(11, || fix(&text, &options).applied.len());
    println!(
        "{label} input: {} lines, {} workloads, {} findings; fix applied {} in {} round(s), {} skipped, {} findings left",
        text.lines().count(),
        i,
        report.findings.len(),
        result.applied.len(),
        result.rounds.len(),
        result.skipped.len(),
        result.report.findings.len()
    );
    println!(
        "check: {:>8.2} ms  ({:.1} MB/s)",
        check.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / check.as_secs_f64()
    );
    println!(
        "fix:   {:>8.2} ms  ({:.2}x the check)",
        fixing.as_secs_f64() * 1e3,
        fixing.as_secs_f64() / check.as_secs_f64()
    );
    let engine_before = Engine::new(Options::default()).retain_rules(&before::rules());
    let findings_before = engine_before.check_text(&text).findings.len();
    let check_before = measure(11, || engine_before.check_text(&text).findings.len());
    println!(
        "check with the 29 rules of before the bundle engine: {:>8.2} ms  ({:.1} MB/s, {findings_before} findings)",
        check_before.as_secs_f64() * 1e3,
        text.len() as f64 / 1e6 / check_before.as_secs_f64()
    );
}
