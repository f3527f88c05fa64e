"""zoneverify: a DNSSEC zone verifier that checks every RRSIG on all cores.

>>> import zoneverify
>>> report = zoneverify.verify_zone("examples/sample.zone", now="20270101000000")
>>> report.ok
True
"""

from ._errors import ZoneParseError, ZoneverifyError
from ._status import Status
from .api import key_tag, supported_algorithms, verify_zone
from .batch import BatchResult, KeyInfo, Verifier
from .report import Finding, Report

__version__ = "0.1.0"

__all__ = [
    "BatchResult",
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
