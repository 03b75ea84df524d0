"""One peer extractor over a file, timed in-process (imports excluded),
or over the labelled cases, its findings named with TruSTAR's kinds.

    python peers.py iocextract|ioc-finder FILE
    python peers.py accuracy iocextract|ioc-finder CASES.json

The first prints JSON: {"seconds": extraction time, "found": distinct
indicators}. The second prints {"kinds": [the TruSTAR kinds the tool
reports], "cases": [{"name": ..., "found": {KIND: [values]}}]}.
Used by `cargo xtask bench-peers`.
"""
import json
import sys
import time



def iocextract_kinds(t):
    """iocextract's findings by TruSTAR kind (it has no CVE, registry key,
    bitcoin, CIDR or software extractor)."""
    import iocextract

    return {
        "URL": set(iocextract.extract_urls(t, refang=True)),
        "IP": set(iocextract.extract_ipv4s(t, refang=True)) | set(iocextract.extract_ipv6s(t)),
        "EMAIL_ADDRESS": set(iocextract.extract_emails(t, refang=True)),
        "MD5": set(iocextract.extract_md5_hashes(t)),
        "SHA1": set(iocextract.extract_sha1_hashes(t)),
        "SHA256": set(iocextract.extract_sha256_hashes(t)),
    }


def ioc_finder_kinds(t):
    """ioc-finder's findings by TruSTAR kind. TruSTAR's URL covers bare
    domains too, so a domain counts as a URL unless it is the host of a URL
    found. ioc-finder has no software (file name) extractor."""
    import ioc_finder

    iocs = ioc_finder.find_iocs(t)
    urls = {str(u) for u in iocs.get("urls", [])}
    domains = {str(d) for d in iocs.get("domains", []) if not any(d in u for u in urls)}
    return {
        "URL": urls | domains,
        "IP": {str(v) for v in iocs.get("ipv4s", []) + iocs.get("ipv6s", [])},
        "CIDR_BLOCK": {str(v) for v in iocs.get("ipv4_cidrs", [])},
        "EMAIL_ADDRESS": {str(v) for v in iocs.get("email_addresses", [])},
        "MD5": {str(v) for v in iocs.get("md5s", [])},
        "SHA1": {str(v) for v in iocs.get("sha1s", [])},
        "SHA256": {str(v) for v in iocs.get("sha256s", [])},
        "CVE": {str(v) for v in iocs.get("cves", [])},
        "REGISTRY_KEY": {str(v) for v in iocs.get("registry_key_paths", [])},
        "BITCOIN_ADDRESS": {str(v) for v in iocs.get("bitcoin_addresses", [])},
    }


if sys.argv[1] == "accuracy":
    kinds_of = {"iocextract": iocextract_kinds, "ioc-finder": ioc_finder_kinds}[sys.argv[2]]
    with open(sys.argv[3], encoding="utf-8") as f:
        cases = json.load(f)
    out = {"kinds": sorted(kinds_of("").keys()), "cases": []}
    for case in cases:
        found = kinds_of(case["text"])
        out["cases"].append(
            {"name": case["name"], "found": {k: sorted(v) for k, v in found.items() if v}}
        )
    print(json.dumps(out))
    sys.exit(0)

tool, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    text = f.read()

if tool == "iocextract":
    import iocextract

    def extract(t):
        return set(iocextract.extract_iocs(t, refang=True))
elif tool == "ioc-finder":
    import ioc_finder

    def extract(t):
        found = set()
        for kind, values in ioc_finder.find_iocs(t).items():
            if isinstance(values, list):
                found.update((kind, str(v)) for v in values)
        return found
else:
    sys.exit(f"unknown tool {tool!r}")

start = time.perf_counter()
found = extract(text)
print(json.dumps({"seconds": time.perf_counter() - start, "found": len(found)}))
