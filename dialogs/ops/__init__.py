"""The named operations the step files use; importing this package registers them all."""

from dialogs.ops import contracts, monitoring, policy, sources, workgroup  # noqa: F401
from dialogs.registry import REGISTRY

__all__ = ["REGISTRY"]
