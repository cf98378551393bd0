"""Reading the YAML data files (texts, step plans): with libyaml's C parser when PyYAML has it.

The safe loader either way; the C one reads the walk-through's step files about ten times faster, which
is most of the difference at the server's start.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only
