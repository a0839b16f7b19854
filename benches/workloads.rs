//! The generated workloads of the benches: 5,000-line streams of Deployments, one dense
//! with findings and one typical (mostly hardened).

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
