"""zoneverify: a DNSSEC zone verifier that checks every RRSIG on all cores.

>>> import zoneverify
>>> report = zoneverify.verify_zone("examples/sample.zone", now="20270101000000")
>>> report.ok
True
"""

from ._errors import ClusterError, ZoneParseError, ZoneverifyError
from ._status import Status
from .api import key_tag, supported_algorithms, verify_zone
from .report import Finding, Report

# The batch API needs numpy; it is imported on first use, so that a zone
# check does not pay for numpy's import (PEP 562).
_LAZY = {"BatchResult", "KeyInfo", "Verifier"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'zoneverify' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "BatchResult",
    "ClusterError",
    "KeyInfo",
    "Verifier",
    "Finding",
    "Report",
    "Status",
    "ZoneParseError",
    "ZoneverifyError",
    "key_tag",
    "supported_algorithms",
    "verify_zone",
    "__version__",
]
