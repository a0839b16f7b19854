#!/usr/bin/env python3
"""Write policies/data/k8s-cves.yaml (the `cves` list) from the Kubernetes CVE feed in OSV form.

Usage: scripts/k8s-cves.py CVE_FEED_OSV_CHECKOUT COMMIT DATE > policies/data/k8s-cves.yaml.osv

Reads vulns/*.json of github.com/kubernetes-sigs/cve-feed-osv (the official feed
https://kubernetes.io/docs/reference/issues-security/official-cve-feed/index.json with affected
ranges). Keeps the packages versioned with Kubernetes itself (k8s.io/kubernetes, apiserver,
kubelet, kubectl, kube-proxy, controller-manager, client-go) and drops the separately versioned
projects (ingress-nginx, CSI drivers). Each OSV SEMVER range is a list of events read in pairs
(introduced, fixed); a CVE listed for several packages with the same ranges is one entry.
The output is the body of the `cves:` list; the file's header and the advisory-only entries
are written by hand (see the file).
"""
import glob, json, os, sys

KEEP = {
    "k8s.io/kubernetes": "kubernetes", "k8s.io/apiserver": "kube-apiserver",
    "k8s.io/kubelet": "kubelet", "k8s.io/kubectl": "kubectl", "k8s.io/kube-proxy": "kube-proxy",
    "k8s.io/controller-manager": "kube-controller-manager", "k8s.io/client-go": "client-go",
}

def main(root):
    for path in sorted(glob.glob(os.path.join(root, "vulns", "*.json")),
                       key=lambda p: tuple(int(x) for x in os.path.basename(p)[4:-5].split("-"))):
        d = json.load(open(path))
        comps, ranges, cvss = [], None, None
        for a in d["affected"]:
            name = a["package"]["name"]
            if name not in KEEP:
                continue
            evs = [e for r in a["ranges"] if r["type"] == "SEMVER" for e in r["events"]]
            pairs = []
            for i in range(0, len(evs), 2):
                pairs.append((evs[i]["introduced"], evs[i + 1]["fixed"]))
            pairs.sort(key=lambda p: [int(x) for x in p[0].split(".")])
            if ranges is not None and ranges != pairs:
                sys.exit(f"{d['id']}: packages with different ranges")
            ranges = pairs
            comps.append(KEEP[name])
            cvss = cvss or next((s["score"] for s in a.get("severity", [])), None)
        if not comps:
            continue
        url = next(r["url"] for r in d["references"]
                   if "github.com/kubernetes/kubernetes/issues" in r["url"]
                   or "github.com/kubernetes/" in r["url"])
        print(f"  - id: {d['id']}")
        print(f"    summary: {json.dumps(d['summary'].strip())}")
        print(f"    components: [{', '.join(comps)}]")
        print(f"    published: \"{d['published'][:10]}\"")
        if cvss:
            print(f"    cvss: \"{cvss}\"")
        print(f"    url: {url}")
        print("    from: osv")
        print("    affected:")
        for i, f in ranges:
            print(f"      - {{introduced: \"{i}\", fixed: \"{f}\"}}")

if __name__ == "__main__":
    main(sys.argv[1])
