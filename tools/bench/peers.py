"""One peer extractor over a file, timed in-process (imports excluded).

    python peers.py iocextract|ioc-finder FILE

Prints JSON: {"seconds": extraction time, "found": distinct indicators}.
Used by `cargo xtask bench-peers`.
"""
import json
import sys
import time

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
