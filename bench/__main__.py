"""`make bench`: run every benchmark module in bench/ (each prints its figures and ratios)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    sys.path.insert(0, str(here.parent))
    only = set(sys.argv[1:])
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if info.name.startswith("_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            print(f"\n=== bench/{info.name}.py ===", flush=True)
            module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
