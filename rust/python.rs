//! The PyO3 binding: a thin layer over the PyO3-free core. Bytes and paths
//! in; numpy columns, a short list of reasons and plain numbers out.
//!
//! One helper, [`run_detached`], releases the GIL: arguments are extracted
//! first, the Rust work (rayon included) runs detached, and Python objects
//! are only built after re-attaching.

use numpy::PyArray1;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::anchor;
use crate::crypto;
use crate::zone::{Code, Policy};
use crate::error::CoreError;
use crate::name::Name;
use crate::verify::{self, Report, Status, VerifyOptions};
use crate::zonefile::{self, ParseOptions};

/// Converts a core error into the Python exception the public API documents
/// (`zoneverify.ZoneParseError`, defined in Python; `OSError`; `ValueError`).
fn to_pyerr(py: Python<'_>, e: CoreError) -> PyErr {
    match e {
        CoreError::Parse { file, line, column, reason } => {
            match py
                .import("zoneverify._errors")
                .and_then(|m| m.getattr("ZoneParseError"))
                .and_then(|cls| cls.call1((reason.clone(), file.clone(), line, column)))
            {
                Ok(exc) => PyErr::from_value(exc),
                Err(err) => err,
            }
        }
        CoreError::Io { file, reason } => PyOSError::new_err(format!("{file}: {reason}")),
        CoreError::Usage(msg) => PyValueError::new_err(msg),
    }
}

/// Runs `f` with the GIL released, then checks for pending signals so that
/// Ctrl-C during a long verification raises KeyboardInterrupt on return.
fn run_detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, CoreError> + Send) -> PyResult<T> {
    let r = py.detach(f);
    py.check_signals()?;
    r.map_err(|e| to_pyerr(py, e))
}

fn parse_origin(origin: Option<&str>) -> PyResult<Option<Name>> {
    match origin {
        None => Ok(None),
        Some(o) => {
            let abs = if o.ends_with('.') { o.to_string() } else { format!("{o}.") };
            Name::from_text(&abs, None)
                .map(Some)
                .map_err(|e| PyValueError::new_err(format!("bad origin '{o}': {e}")))
        }
    }
}

fn report_to_dict<'py>(py: Python<'py>, r: Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("apex", r.apex.as_ref().map(|a| a.to_text()))?;
    let names: Vec<String> = r.names.iter().map(|n| n.to_text()).collect();
    d.set_item("names", PyList::new(py, names)?)?;
    d.set_item("owner", PyArray1::from_vec(py, r.owner))?;
    d.set_item("type_covered", PyArray1::from_vec(py, r.type_covered))?;
    d.set_item("algorithm", PyArray1::from_vec(py, r.algorithm))?;
    d.set_item("key_tag", PyArray1::from_vec(py, r.key_tag))?;
    d.set_item("inception", PyArray1::from_vec(py, r.inception))?;
    d.set_item("expiration", PyArray1::from_vec(py, r.expiration))?;
    d.set_item("status", PyArray1::from_vec(py, r.status))?;
    d.set_item("line", PyArray1::from_vec(py, r.line))?;
    d.set_item("file", PyArray1::from_vec(py, r.file))?;
    d.set_item("reasons", PyList::new(py, r.reasons)?)?;
    let zf = PyList::empty(py);
    for f in &r.findings {
        zf.append((
            f.code.as_str(),
            f.severity.as_str(),
            f.owner.to_text(),
            f.rtype,
            f.key_tag,
            f.file,
            f.line,
            f.reason.as_str(),
        ))?;
    }
    d.set_item("zone_findings", zf)?;
    d.set_item("downgraded", PyList::new(py, &r.downgraded)?)?;
    d.set_item("zone_checks", r.zone_checks)?;
    d.set_item("files", PyList::new(py, r.files)?)?;
    d.set_item("records", r.records)?;
    d.set_item("threads", r.threads)?;
    d.set_item("now", r.now)?;
    let t = PyDict::new(py);
    t.set_item("read", r.timings.read)?;
    t.set_item("parse", r.timings.parse)?;
    t.set_item("model", r.timings.model)?;
    t.set_item("verify", r.timings.verify)?;
    t.set_item("checks", r.timings.checks)?;
    d.set_item("timings", t)?;
    Ok(d)
}

fn options(
    py: Python<'_>,
    origin: Option<&str>,
    allow_include: bool,
    now: u64,
    jobs: Option<usize>,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<(ParseOptions, VerifyOptions)> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include };
    let mut p = Policy::default();
    if let Some(d) = policy {
        for (k, v) in d.iter() {
            let key: String = k.extract()?;
            match key.as_str() {
                "zone_checks" => p.zone_checks = v.extract()?,
                "every_algorithm" => p.every_algorithm = v.extract()?,
                "redundant_failures_warning" => p.redundant_failures_warning = v.extract()?,
                "require_ksk" => p.require_ksk = v.extract()?,
                "require_zonemd" => p.require_zonemd = v.extract()?,
                "expire_within" => p.expire_within = v.extract()?,
                "inception_margin" => p.inception_margin = v.extract()?,
                "nsec3_max_hashes" => p.nsec3_max_hashes = v.extract()?,
                "trust_anchor" => {
                    let (text, filename): (Vec<u8>, String) = v.extract()?;
                    p.trust_anchors = anchor::parse_anchors(&text, &filename).map_err(|e| to_pyerr(py, e))?;
                }
                other => return Err(PyValueError::new_err(format!("unknown policy option '{other}'"))),
            }
        }
    }
    Ok((popts, VerifyOptions { now, threads: jobs, policy: p }))
}

/// verify_file(path, origin, now, jobs, allow_include, policy=None) -> dict
#[pyfunction]
#[pyo3(signature = (path, origin, now, jobs, allow_include, policy=None))]
fn verify_file<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    allow_include: bool,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (popts, vopts) = options(py, origin, allow_include, now, jobs, policy)?;
    let r = run_detached(py, || verify::verify_file(&path, &popts, &vopts))?;
    report_to_dict(py, r)
}

/// verify_text(text, filename, origin, now, jobs, allow_include, policy=None) -> dict
#[pyfunction]
#[pyo3(signature = (text, filename, origin, now, jobs, allow_include, policy=None))]
fn verify_text<'py>(
    py: Python<'py>,
    text: &[u8],
    filename: &str,
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    allow_include: bool,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (popts, vopts) = options(py, origin, allow_include, now, jobs, policy)?;
    let r = run_detached(py, || verify::verify_text(text, filename, &popts, &vopts))?;
    report_to_dict(py, r)
}

/// parse_records(text, filename, origin, default_ttl=None) -> list of (owner, type, class, ttl, rdata, line)
#[pyfunction]
#[pyo3(signature = (text, filename, origin, default_ttl=None))]
fn parse_records<'py>(
    py: Python<'py>,
    text: &[u8],
    filename: &str,
    origin: Option<&str>,
    default_ttl: Option<u32>,
) -> PyResult<Bound<'py, PyList>> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl, allow_include: false };
    let z = run_detached(py, || zonefile::parse_zone(text, filename, &popts))?;
    let out = PyList::empty(py);
    for r in z.records {
        out.append((r.owner.to_text(), r.rtype, r.class, r.ttl, PyBytes::new(py, &r.rdata), r.line))?;
    }
    Ok(out)
}

/// key_tag(rdata) -> int: RFC 4034 Appendix B key tag of DNSKEY wire RDATA.
#[pyfunction]
fn key_tag(rdata: &[u8]) -> u16 {
    crypto::key_tag(rdata)
}

/// supported_algorithms() -> list of DNSSEC algorithm numbers verified.
#[pyfunction]
fn supported_algorithms() -> Vec<u8> {
    (0..=255u8).filter(|&a| crypto::algorithm_supported(a)).collect()
}

/// statuses() -> list of (value, NAME, code), for the Python IntEnum check.
#[pyfunction]
fn statuses() -> Vec<(u8, &'static str, &'static str)> {
    Status::ALL.iter().map(|s| (*s as u8, s.name(), s.code())).collect()
}

/// type_name(rtype) -> mnemonic or TYPEnnn.
#[pyfunction]
fn type_name(rtype: u16) -> String {
    crate::rrtype::to_mnemonic(rtype)
}

/// finding_codes() -> list of (code, default severity), zone-level checks.
#[pyfunction]
fn finding_codes() -> Vec<(&'static str, &'static str)> {
    Code::ALL.iter().map(|c| (c.as_str(), c.default_severity().as_str())).collect()
}

/// algorithm_name(alg) -> mnemonic.
#[pyfunction]
fn algorithm_name(alg: u8) -> String {
    crypto::algorithm_name(alg)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_file, m)?)?;
    m.add_function(wrap_pyfunction!(verify_text, m)?)?;
    m.add_function(wrap_pyfunction!(parse_records, m)?)?;
    m.add_function(wrap_pyfunction!(key_tag, m)?)?;
    m.add_function(wrap_pyfunction!(supported_algorithms, m)?)?;
    m.add_function(wrap_pyfunction!(statuses, m)?)?;
    m.add_function(wrap_pyfunction!(algorithm_name, m)?)?;
    m.add_function(wrap_pyfunction!(type_name, m)?)?;
    m.add_function(wrap_pyfunction!(finding_codes, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
