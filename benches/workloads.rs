//! The generated workloads of the benches: streams of Deployments, one dense
//! with findings, one typical (mostly hardened) and one hardened (no findings).

pub const WORKLOAD: &str = "---
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
pub const TYPICAL: &str = "---
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

/// The objects a namespace of [`HARDENED`] Deployments stands on: the Namespace (Pod
/// Security admission enforcing restricted), its ResourceQuota and LimitRange, a
/// default-deny NetworkPolicy for both directions and the ServiceAccount the workloads run
/// as, with no token mounted.
pub const HARDENED_NAMESPACE: &str = r#"---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: shop
  namespace: shop
spec:
  hard: {pods: "500", requests.cpu: "200", requests.memory: 400Gi, limits.cpu: "400", limits.memory: 800Gi}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
automountServiceAccountToken: false
---
apiVersion: v1
kind: LimitRange
metadata:
  name: shop
  namespace: shop
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 256Mi}
      defaultRequest: {cpu: 250m, memory: 128Mi}
"#;

/// A hardened Deployment: with [`HARDENED_NAMESPACE`] before it, no rule of any profile
/// finds anything (checked by `tests/bench_workloads.rs`). What the engine costs on
/// manifests that pass, where the report is next to nothing.
pub const HARDENED: &str = r#"---
# Deployment NAME: the API tier, hardened
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
      serviceAccountName: api
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: api
          image: registry.example.com/shop/api:2.4.1@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
          imagePullPolicy: Always
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 250m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
      volumes:
        - name: tmp
          emptyDir: {}
"#;

/// `workload` repeated (`NAME` numbered) until the stream has `lines` lines; the text and
/// how many workloads it holds.
pub fn stream(workload: &str, lines: usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = 0;
    let mut count = 0;
    while count < lines {
        let w = workload.replace("NAME", &format!("web-{i}"));
        count += w.lines().count();
        text.push_str(&w);
        i += 1;
    }
    (text, i)
}
