"""Unit tests of the Python layer: status mirror, time parsing, stubs, sources."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import pathlib

import pytest

import zoneverify
from zoneverify import Status, _native
from zoneverify._time import format_time, parse_now

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_status_enum_agrees_with_rust():
    native = _native.statuses()
    assert len(native) == len(Status)
    for value, name, code in native:
        assert Status(value).name == name
        assert Status(value).code == code
        assert Status.from_code(code) is Status(value)


@pytest.mark.parametrize(
    "spelling",
    ["20170827000000", "2017-08-27T00:00:00Z", "2017-08-27T00:00:00+00:00", "2017-08-27T02:00:00+02:00",
     "2017-08-27 00:00:00", "1503792000", 1503792000, 1503792000.7,
     dt.datetime(2017, 8, 27, tzinfo=dt.timezone.utc), dt.datetime(2017, 8, 27)],
)
def test_now_spellings_agree(spelling):
    assert parse_now(spelling) == 1503792000


@pytest.mark.parametrize("bad", ["yesterday", "20171327000000", "2017-13-01", "-5", -1, True, [], "1e9"])
def test_bad_now_is_rejected(bad):
    with pytest.raises((ValueError, TypeError)):
        parse_now(bad)


def test_now_default_is_current_time():
    import time

    assert abs(parse_now(None) - time.time()) < 5


def test_format_time_roundtrip():
    assert format_time(1503792000) == "20170827000000"
    assert parse_now(format_time(2_000_000_000)) == 2_000_000_000


def test_native_stub_matches_module():
    """The hand-written _native.pyi names every native function with the
    same parameters (an equivalent of mypy's stubtest for this module)."""
    tree = ast.parse((ROOT / "python/zoneverify/_native.pyi").read_text())
    stubbed = {n.name: [a.arg for a in n.args.args] for n in tree.body if isinstance(n, ast.FunctionDef)}
    actual = {
        name: list(inspect.signature(obj).parameters)
        for name, obj in vars(_native).items()
        if callable(obj) and not isinstance(obj, type) and not name.startswith("_")
    }
    assert stubbed == actual
    # Classes: the same methods and properties, with the same parameters.
    stub_classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    native_classes = {name: obj for name, obj in vars(_native).items()
                      if isinstance(obj, type) and not name.startswith("_")}
    assert set(stub_classes) == set(native_classes)
    for name, node in stub_classes.items():
        cls = native_classes[name]
        stub_members = {}
        for f in node.body:
            if isinstance(f, ast.FunctionDef) and not f.name.startswith("_"):
                decos = {d.id for d in f.decorator_list if isinstance(d, ast.Name)}
                params = [a.arg for a in f.args.args]
                if "property" in decos:
                    stub_members[f.name] = "property"
                else:
                    stub_members[f.name] = params if "staticmethod" in decos else params[1:]
        actual_members = {}
        for m, obj in vars(cls).items():
            if m.startswith("_"):
                continue
            if not callable(obj) and not isinstance(obj, staticmethod):
                actual_members[m] = "property"
            else:
                actual_members[m] = list(inspect.signature(getattr(cls, m)).parameters)
                if actual_members[m][:1] == ["self"]:
                    actual_members[m] = actual_members[m][1:]
        assert stub_members == actual_members, name


def test_py_typed_present():
    assert (ROOT / "python/zoneverify/py.typed").exists()


def test_bad_arguments_are_value_errors(tmp_path):
    z = "example. 3600 IN SOA a. b. 1 2 3 4 5\n"
    with pytest.raises(ValueError):
        zoneverify.verify_zone(z, jobs=0)
    with pytest.raises(ValueError):
        zoneverify.verify_zone(z, origin="bad..name")
    with pytest.raises(FileNotFoundError):
        zoneverify.verify_zone(str(tmp_path / "missing.zone"))
    with pytest.raises(IsADirectoryError):
        zoneverify.verify_zone(tmp_path)
    with pytest.raises(TypeError):
        zoneverify.verify_zone(12345)


def test_unsigned_zone_does_not_pass():
    """No RRSIG means nothing was verified: never report that as ok."""
    r = zoneverify.verify_zone("example. 3600 IN SOA a. b. 1 2 3 4 5\nexample. 3600 IN NS a.\n")
    assert len(r) == 0
    assert r.ok is False
    assert "nothing was verified" in r.summary_lines()[-1]


def test_parse_error_fields():
    with pytest.raises(zoneverify.ZoneParseError) as ei:
        zoneverify.verify_zone("example. 3600 IN SOA a. b. 1 2 3 4 5\nwww.example. 3600 IN BOGUSTYPE 1\n")
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.filename == "<text>"
    assert e.line == 2
    assert "BOGUSTYPE" in e.reason
    assert str(e).startswith("<text>:2")


def test_readme_documents_every_finding_code():
    readme = (ROOT / "README.md").read_text()
    for code, severity in _native.finding_codes():
        assert f"| `{code}` | {severity} |" in readme, code
    for st in Status:
        assert f"| `{st.code}` |" in readme, st.code


def test_durations():
    from zoneverify._time import parse_duration

    assert parse_duration("7d") == 7 * 86400
    assert parse_duration("1w2d") == 9 * 86400
    assert parse_duration(90) == 90
    assert parse_duration("3600") == 3600
    for bad in ("7x", "d", "5d3", "-1", -1):
        with pytest.raises((ValueError, TypeError)):
            parse_duration(bad)


def test_docstring_examples_run(monkeypatch):
    """Every example in the public modules' docstrings runs and prints what
    it says (they use examples/sample.zone relative to the repository)."""
    import doctest
    import importlib

    monkeypatch.chdir(ROOT)
    total = 0
    for name in ("zoneverify", "zoneverify.api", "zoneverify._time", "zoneverify.batch",
                 "zoneverify.dnssec", "zoneverify.report"):
        mod = importlib.import_module(name)
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.failed == 0, name
        total += res.attempted
    assert total >= 20


def test_policy_type_matches_the_core(tmp_path):
    """One policy type from Python to Rust: the TypedDict the stub uses and
    the keys rust/python.rs accepts are the same, each is accepted with a
    value of its type, and any other key is refused, by name."""
    from zoneverify._policy import Policy

    keys = set(Policy.__annotations__)
    assert keys == set(_native.policy_keys())
    text = (ROOT / "examples/sample.zone").read_bytes()
    example = {
        "zone_checks": True, "every_algorithm": True, "redundant_failures_warning": True,
        "require_ksk": False, "require_zonemd": False, "expire_within": 60, "inception_margin": 60,
        "nsec3_max_hashes": 1000, "profile": True, "whole_zone": True, "window_bytes": 4096,
        "trust_anchor": (b"sample. 3600 IN DS 1 13 2 " + b"00" * 32 + b"\n", "ta"),
        "expect_keys": [1], "expect_signing_keys": [2], "forbid_keys": [3], "expect_algorithms": [13],
        "forbid_algorithms": [8], "prepublished_algorithms": [15],
        "previous": str(ROOT / "examples/sample.zone"), "unsigned": str(ROOT / "examples/sample.zone"),
        "max_change": 1.5, "flag_changes": ["dnskey", "ds"], "signer_adds_cds": True, "fingerprint": True, "allow_unsupported": True,
        "columns": False, "cache": str(tmp_path / "cache"), "cache_max_entries": 100,
        "cache_known": (b"s" * 32, b"e" * 64),
    }
    assert set(example) == keys
    for k, v in example.items():
        raw = _native.verify_text(text, "sample", None, 1798761600, 1, False, {k: v})
        assert raw["records"] > 0, k
    with pytest.raises(ValueError, match="unknown policy option 'no_such_key'"):
        _native.verify_text(text, "sample", None, 1798761600, 1, False, {"no_such_key": True})
