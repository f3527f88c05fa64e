//! The PyO3 binding: a thin layer over the PyO3-free core. Bytes and paths
//! in; numpy columns, a short list of reasons and plain numbers out.
//!
//! One helper, [`run_detached`], releases the GIL: arguments are extracted
//! first, the Rust work (rayon included) runs detached, and Python objects
//! are only built after re-attaching.

mod cluster;

use std::ptr::NonNull;
use std::time::{SystemTime, UNIX_EPOCH};

use numpy::PyArray1;
use pyo3::buffer::{Element, PyBuffer};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::batch::{self, BatchContext, BatchOutcome, KeySet};
use crate::checks::findings::Code;
use crate::checks::policy::{ChangeKind, Policy};
use crate::gate::{self, fingerprint::Fingerprint, previous::{Changes, Delta, ExampleKind}};
use crate::dns::name::Name;
use crate::error::CoreError;
use crate::parse::{anchors, axfr, tsig};
use crate::parse::zonefile::{self, ParseOptions};
use crate::pipeline::{self, VerifyOptions};
use crate::pool::LazyPool;
use crate::report::Report;
use crate::sig::columns::RrsigColumns;
use crate::sig::cache::{Cache, CacheStats};
use crate::sig::crypto;
use crate::sig::Status;

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
        CoreError::Cancelled => pyo3::exceptions::PyKeyboardInterrupt::new_err("interrupted"),
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

/// The per-RRSIG columns as numpy arrays (no copy) plus the reasons list.
fn put_rrsig_columns(py: Python<'_>, d: &Bound<'_, PyDict>, c: RrsigColumns) -> PyResult<()> {
    d.set_item("type_covered", PyArray1::from_vec(py, c.type_covered))?;
    d.set_item("algorithm", PyArray1::from_vec(py, c.algorithm))?;
    d.set_item("key_tag", PyArray1::from_vec(py, c.key_tag))?;
    d.set_item("inception", PyArray1::from_vec(py, c.inception))?;
    d.set_item("expiration", PyArray1::from_vec(py, c.expiration))?;
    d.set_item("status", PyArray1::from_vec(py, c.status))?;
    d.set_item("reasons", PyList::new(py, c.reasons)?)?;
    Ok(())
}

/// A column as `bytes` in native byte order: the zone report's columns are
/// wrapped by Python (a memoryview, or numpy only when asked for), so that
/// `zoneverify check` does not import numpy.
fn column_bytes<'py, T: Copy>(py: Python<'py>, v: &[T]) -> Bound<'py, PyBytes> {
    // SAFETY: T is one of u8/u16/u32 here: plain integers, no padding.
    let b = unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, std::mem::size_of_val(v)) };
    PyBytes::new(py, b)
}

/// (algorithm, status, count) for every pair that occurs, sorted.
fn status_counts(c: &RrsigColumns) -> Vec<(u8, u8, u64)> {
    let mut n = vec![0u64; 256 * 256];
    for (&a, &s) in c.algorithm.iter().zip(&c.status) {
        n[(a as usize) << 8 | s as usize] += 1;
    }
    n.iter().enumerate().filter(|(_, &k)| k > 0).map(|(i, &k)| ((i >> 8) as u8, (i & 0xff) as u8, k)).collect()
}

/// What one copy of a zone holds (`--same-zone`), to compare with others.
#[pyclass(frozen, module = "zoneverify._native")]
struct ZoneFingerprint {
    inner: Fingerprint,
}

#[pymethods]
impl ZoneFingerprint {
    #[getter]
    fn serial(&self) -> Option<u32> {
        self.inner.serial
    }
    #[getter]
    fn records(&self) -> usize {
        self.inner.records
    }
    /// Whether the two copies hold the same serial and RRsets.
    fn same(&self, other: &ZoneFingerprint) -> bool {
        self.inner.same(&other.inner)
    }
    /// The first difference of this copy from `reference`, or None.
    fn first_difference(&self, reference: &ZoneFingerprint) -> Option<String> {
        self.inner.first_difference(&reference.inner)
    }
}

fn report_to_dict<'py>(py: Python<'py>, mut r: Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    if let Some(f) = r.fingerprint.take() {
        d.set_item("fingerprint", Py::new(py, ZoneFingerprint { inner: f })?)?;
    }
    d.set_item("apex", r.apex.as_ref().map(|a| a.to_text()))?;
    d.set_item("serial", r.serial)?;
    // The owner names as one text (see `NameTable`); most runs read a few
    // names, for their findings. Each column is dropped once copied.
    if let Some(rows) = r.rrsigs.rows.take() {
        d.set_item("rows", column_bytes(py, &rows))?;
    }
    d.set_item("names_text", PyBytes::new(py, &std::mem::take(&mut r.names.text)))?;
    d.set_item("names_start", column_bytes(py, r.names.starts()))?;
    r.names = Default::default();
    d.set_item("owner", column_bytes(py, &std::mem::take(&mut r.owner)))?;
    let c = &mut r.rrsigs;
    let counts = status_counts(c);
    d.set_item("type_covered", column_bytes(py, &std::mem::take(&mut c.type_covered)))?;
    d.set_item("algorithm", column_bytes(py, &std::mem::take(&mut c.algorithm)))?;
    d.set_item("key_tag", column_bytes(py, &std::mem::take(&mut c.key_tag)))?;
    d.set_item("inception", column_bytes(py, &std::mem::take(&mut c.inception)))?;
    d.set_item("expiration", column_bytes(py, &std::mem::take(&mut c.expiration)))?;
    d.set_item("status", column_bytes(py, &c.status))?;
    d.set_item("status_counts", PyList::new(py, counts)?)?;
    if c.now.is_some() {
        d.set_item("earliest_expirations", PyList::new(py, c.earliest_expirations())?)?;
    }
    d.set_item("reasons", PyList::new(py, &c.reasons)?)?;
    d.set_item("line", column_bytes(py, &std::mem::take(&mut r.line)))?;
    d.set_item("file", column_bytes(py, &std::mem::take(&mut r.file)))?;
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
    let dg: Vec<(u32, Option<&str>, &str)> = r.downgraded.iter().map(|d| (d.row, d.code.map(|c| c.as_str()), d.note.as_str())).collect();
    d.set_item("downgraded", PyList::new(py, dg)?)?;
    d.set_item("zone_checks", r.zone_checks)?;
    d.set_item("files", PyList::new(py, r.files)?)?;
    d.set_item("records", r.records)?;
    d.set_item("pipeline", r.pipeline)?;
    d.set_item("checked_by_name", r.checked_by_name)?;
    d.set_item("threads", r.threads)?;
    d.set_item("now", r.now)?;
    let t = PyDict::new(py);
    t.set_item("read", r.timings.read)?;
    t.set_item("parse", r.timings.parse)?;
    t.set_item("model", r.timings.model)?;
    t.set_item("verify", r.timings.verify)?;
    t.set_item("checks", r.timings.checks)?;
    if r.changes.is_some() || r.unsigned.is_some() {
        t.set_item("gate", r.timings.gate)?;
    }
    d.set_item("timings", t)?;
    if let Some(c) = &r.changes {
        d.set_item("changes", changes_to_dict(py, c)?)?;
    }
    if let Some(u) = &r.unsigned {
        let x = PyDict::new(py);
        x.set_item("file", &u.unsigned_file)?;
        x.set_item("unsigned_records", u.unsigned_records)?;
        x.set_item("signed_records", u.signed_records)?;
        x.set_item("dropped", u.dropped)?;
        x.set_item("added", u.added)?;
        x.set_item("altered", u.altered)?;
        d.set_item("unsigned", x)?;
    }
    d.set_item("canonicalise_cpu", r.timings.canonicalise_cpu)?;
    d.set_item("crypto", PyList::new(py, r.timings.crypto)?)?;
    d.set_item("cache_lookups", r.timings.cache_lookups)?;
    Ok(d)
}

fn changes_to_dict<'py>(py: Python<'py>, c: &Changes) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("previous_file", &c.previous_file)?;
    d.set_item("previous_serial", c.previous_serial)?;
    d.set_item("serial", c.serial)?;
    let delta = |x: &Delta| -> PyResult<Bound<'py, PyDict>> {
        let e = PyDict::new(py);
        e.set_item("before", x.before)?;
        e.set_item("after", x.after)?;
        e.set_item("added", x.added)?;
        e.set_item("removed", x.removed)?;
        e.set_item("changed", x.changed)?;
        Ok(e)
    };
    d.set_item("delegations", delta(&c.delegations)?)?;
    d.set_item("rrsets", delta(&c.rrsets)?)?;
    d.set_item("ds", delta(&c.ds)?)?;
    let keys = |v: &[(u16, u8, u16)]| -> Vec<(u16, u8, u16)> { v.to_vec() };
    d.set_item("dnskey_added", PyList::new(py, keys(&c.dnskey_added))?)?;
    d.set_item("dnskey_removed", PyList::new(py, keys(&c.dnskey_removed))?)?;
    d.set_item("cds_changed", c.cds_changed)?;
    d.set_item("cdnskey_changed", c.cdnskey_changed)?;
    d.set_item("apex_ns_changed", c.apex_ns_changed)?;
    let ex = PyDict::new(py);
    for kind in [ExampleKind::DelegationAdded, ExampleKind::DelegationRemoved, ExampleKind::DsChanged] {
        let names: Vec<&str> = c.example_names.iter().filter(|e| e.0 == kind).map(|e| e.1.as_str()).collect();
        ex.set_item(kind.as_str(), PyList::new(py, names)?)?;
    }
    d.set_item("examples", ex)?;
    Ok(d)
}

/// The keys of the policy dict `options` takes: `zoneverify._policy.Policy`
/// (a TypedDict, used by the stub) must list the same (a test checks it).
const POLICY_KEYS: &[&str] = &[
    "zone_checks",
    "every_algorithm",
    "redundant_failures_warning",
    "require_ksk",
    "require_zonemd",
    "expire_within",
    "inception_margin",
    "nsec3_max_hashes",
    "profile",
    "whole_zone",
    "window_bytes",
    "trust_anchor",
    "expect_keys",
    "expect_signing_keys",
    "forbid_keys",
    "expect_algorithms",
    "forbid_algorithms",
    "prepublished_algorithms",
    "previous",
    "unsigned",
    "max_change",
    "flag_changes",
    "signer_adds_cds",
    "fingerprint",
    "allow_unsupported",
    "columns",
    "cache",
    "cache_max_entries",
    "cache_known",
];

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
    let mut profile = false;
    let mut whole_zone = false;
    let mut window = None;
    let mut gate = gate::Inputs::default();
    let mut fingerprint = false;
    let mut columns = true;
    let mut cache_dir: Option<std::path::PathBuf> = None;
    let mut cache_max = DEFAULT_CACHE_ENTRIES;
    let mut cache_known: Option<(Vec<u8>, Vec<u8>)> = None;
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
                "allow_unsupported" => p.allow_unsupported = v.extract()?,
                "profile" => profile = v.extract()?,
                // The reference path, for the equivalence tests.
                "whole_zone" => whole_zone = v.extract()?,
                "columns" => columns = v.extract()?,
                "window_bytes" => window = Some(v.extract::<usize>()?.max(1)),
                "trust_anchor" => {
                    let (text, filename): (Vec<u8>, String) = v.extract()?;
                    p.trust_anchors = anchors::parse_anchors(&text, &filename).map_err(|e| to_pyerr(py, e))?;
                }
                "expect_keys" => p.expect.keys = v.extract()?,
                "expect_signing_keys" => p.expect.signing_keys = v.extract()?,
                "forbid_keys" => p.expect.forbidden_keys = v.extract()?,
                "expect_algorithms" => p.expect.algorithms = v.extract()?,
                "forbid_algorithms" => p.expect.forbidden_algorithms = v.extract()?,
                "prepublished_algorithms" => p.expect.prepublished_algorithms = v.extract()?,
                "previous" => gate.previous = Some(v.extract()?),
                "unsigned" => gate.unsigned = Some(v.extract()?),
                "max_change" => {
                    let m: f64 = v.extract()?;
                    if !(m.is_finite() && m >= 0.0) {
                        return Err(PyValueError::new_err(format!("max_change must be a percentage of 0 or more, not {m}")));
                    }
                    p.gate.max_change = Some(m);
                }
                "flag_changes" => {
                    let names: Vec<String> = v.extract()?;
                    p.gate.flag_changes = names
                        .iter()
                        .map(|n| {
                            ChangeKind::from_name(n).ok_or_else(|| {
                                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.1).collect();
                                PyValueError::new_err(format!("unknown change kind '{n}' (known: {})", known.join(", ")))
                            })
                        })
                        .collect::<PyResult<_>>()?;
                }
                "signer_adds_cds" => p.gate.signer_adds_cds = v.extract()?,
                // --same-zone: keep what this copy holds, to compare.
                "fingerprint" => fingerprint = v.extract()?,
                "cache" => cache_dir = Some(v.extract()?),
                // A cluster's run (zoneverify.cluster): (secret, entries)
                // of the workers' successes, an in-memory cache.
                "cache_known" => cache_known = Some(v.extract()?),
                "cache_max_entries" => {
                    cache_max = v.extract()?;
                    if cache_max == 0 {
                        return Err(PyValueError::new_err("cache_max_entries must be at least 1"));
                    }
                }
                other => {
                    return Err(PyValueError::new_err(format!(
                        "unknown policy option '{other}' (known: {})",
                        POLICY_KEYS.join(", ")
                    )))
                }
            }
        }
    }
    let cache = match (cache_dir, cache_known) {
        (Some(_), Some(_)) => return Err(PyValueError::new_err("cache and cache_known: give one")),
        (Some(d), None) => Some(std::sync::Arc::new(Cache::open(&d, cache_max).map_err(PyOSError::new_err)?)),
        (None, Some((secret, entries))) => {
            if entries.len() % 32 != 0 {
                return Err(PyValueError::new_err("cache_known: the entries are not a whole number of 32-octet entries"));
            }
            let known = entries.chunks_exact(32).map(|c| c.try_into().unwrap_or([0u8; 32])).collect();
            Some(std::sync::Arc::new(Cache::in_memory(&secret, known, usize::MAX).map_err(PyValueError::new_err)?))
        }
        (None, None) => None,
    };
    Ok((popts, VerifyOptions { now, threads: jobs, policy: p, profile, whole_zone, window, gate, fingerprint, columns, cache, progress: None }))
}

/// The default bound of the verified-signature cache: 10 million entries
/// (320 MB on disk), more than the RRSIGs of any zone in this project's
/// benchmarks (a larger zone stores the first 10 million, by digest).
const DEFAULT_CACHE_ENTRIES: usize = 10_000_000;

/// Writes the run's verified-signature cache (if any) and puts what it did
/// into the report's dict. Only after a run that completed: a run that
/// stops on an error leaves the cache as it was.
fn with_cache<'py>(py: Python<'py>, d: Bound<'py, PyDict>, vopts: &VerifyOptions) -> PyResult<Bound<'py, PyDict>> {
    if let Some(c) = &vopts.cache {
        let s = py.detach(|| c.finish());
        d.set_item("cache", cache_stats_dict(py, &s)?)?;
    }
    Ok(d)
}

/// What a run did with the cache, as the report's "cache" dict.
fn cache_stats_dict<'py>(py: Python<'py>, s: &CacheStats) -> PyResult<Bound<'py, PyDict>> {
    let cd = PyDict::new(py);
    cd.set_item("loaded", s.loaded)?;
    cd.set_item("reused", s.reused)?;
    cd.set_item("verified", s.verified)?;
    cd.set_item("stored", s.stored)?;
    cd.set_item("warnings", s.warnings.clone())?;
    cd.set_item("load_seconds", s.load_seconds)?;
    cd.set_item("save_seconds", s.save_seconds)?;
    Ok(cd)
}

/// policy_keys() -> list of the policy dict's keys
#[pyfunction]
fn policy_keys() -> Vec<&'static str> {
    POLICY_KEYS.to_vec()
}

/// verify_file(path, origin, now, jobs, allow_include, policy=None, progress=None) -> dict
#[pyfunction]
#[pyo3(signature = (path, origin, now, jobs, allow_include, policy=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn verify_file<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    allow_include: bool,
    policy: Option<&Bound<'_, PyDict>>,
    progress: Option<&NativeProgress>,
) -> PyResult<Bound<'py, PyDict>> {
    let (popts, mut vopts) = options(py, origin, allow_include, now, jobs, policy)?;
    vopts.progress = progress.map(|p| p.inner.clone());
    let r = run_detached(py, || pipeline::verify_file(&path, &popts, &vopts))?;
    with_cache(py, report_to_dict(py, r)?, &vopts)
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
    let r = run_detached(py, || pipeline::verify_text(text, filename, &popts, &vopts))?;
    with_cache(py, report_to_dict(py, r)?, &vopts)
}

/// verify_axfr(url, tsig, connect_timeout, timeout, now, jobs, policy=None) -> dict
/// `tsig`: None or (key name, algorithm, secret). The secret is never
/// part of an error message.
#[pyfunction]
#[pyo3(signature = (url, tsig, connect_timeout, timeout, now, jobs, policy=None))]
#[allow(clippy::too_many_arguments)]
fn verify_axfr<'py>(
    py: Python<'py>,
    url: &str,
    tsig: Option<(String, String, Vec<u8>)>,
    connect_timeout: f64,
    timeout: f64,
    now: u64,
    jobs: Option<usize>,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let src = axfr::Source::parse(url).map_err(PyValueError::new_err)?;
    let (_, vopts) = options(py, None, false, now, jobs, policy)?;
    let key = match tsig {
        Some((name, alg, secret)) => Some(tsig::Key::new(&name, &alg, secret).map_err(PyValueError::new_err)?),
        None => None,
    };
    let secs = |v: f64, what: &str| -> PyResult<std::time::Duration> {
        if v.is_finite() && v > 0.0 {
            Ok(std::time::Duration::from_secs_f64(v))
        } else {
            Err(PyValueError::new_err(format!("{what} must be a positive number of seconds, not {v}")))
        }
    };
    let aopts = axfr::Options { tsig: key, connect_timeout: secs(connect_timeout, "connect_timeout")?, timeout: secs(timeout, "timeout")? };
    let r = run_detached(py, || pipeline::verify_axfr(&src, &aopts, &vopts))?;
    with_cache(py, report_to_dict(py, r)?, &vopts)
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

/// A buffer's memory, read while the GIL is released. The `PyBuffer` it
/// came from is kept alive by the caller until the detached work returns;
/// the public API documents that the buffers must not be modified meanwhile.
struct Shared<T>(NonNull<[T]>);
// SAFETY: only shared reads, of memory kept alive by a held PyBuffer.
unsafe impl<T: Sync> Send for Shared<T> {}
unsafe impl<T: Sync> Sync for Shared<T> {}
impl<T> Shared<T> {
    /// SAFETY: the PyBuffer must outlive the returned slice.
    unsafe fn slice(&self) -> &[T] {
        unsafe { self.0.as_ref() }
    }
}

/// A contiguous buffer of `T` from any object with the buffer protocol
/// (bytes, bytearray, memoryview, numpy arrays, array.array), without copy.
fn buffer<T: Element + Sync>(obj: &Bound<'_, PyAny>, what: &str, kind: &str) -> PyResult<(PyBuffer<T>, Shared<T>)> {
    let b = PyBuffer::<T>::get(obj).map_err(|e| {
        PyTypeError::new_err(format!("{what} must be a contiguous buffer of {kind} (bytes-like or numpy array): {e}"))
    })?;
    let ptr = b.as_slice_ptr().ok_or_else(|| {
        PyValueError::new_err(format!("{what} must be C-contiguous (use numpy.ascontiguousarray)"))
    })?;
    Ok((b, Shared(ptr)))
}

fn unix_now_f64() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn outcome_to_dict<'py>(py: Python<'py>, r: BatchOutcome, detached: (f64, f64)) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("item", PyArray1::from_vec(py, r.item))?;
    put_rrsig_columns(py, &d, r.rrsigs)?;
    d.set_item("rrset_status", PyArray1::from_vec(py, r.item_status))?;
    d.set_item("rrset_rrsigs", PyArray1::from_vec(py, r.item_rrsigs))?;
    d.set_item("threads", r.threads)?;
    let t = PyDict::new(py);
    t.set_item("split", r.split)?;
    t.set_item("verify", r.verify)?;
    t.set_item("detached_start", detached.0)?;
    t.set_item("detached_end", detached.1)?;
    d.set_item("timings", t)?;
    Ok(d)
}

/// The native half of `zoneverify.Verifier`: a DNSKEY set parsed once and a
/// thread pool (started on first parallel use). Immutable, so any number of Python threads may use one at
/// once; every method releases the GIL while it works.
#[pyclass(frozen, module = "zoneverify._native")]
struct NativeVerifier {
    keyset: KeySet,
    /// Started on the first batch large enough to run in parallel.
    pool: LazyPool,
}

fn make_pool(py: Python<'_>, jobs: Option<usize>) -> PyResult<LazyPool> {
    LazyPool::new(jobs).map_err(|e| to_pyerr(py, e))
}

#[pymethods]
impl NativeVerifier {
    /// from_rdatas(origin, rdatas, jobs): keys from DNSKEY wire RDATAs.
    #[staticmethod]
    fn from_rdatas(py: Python<'_>, origin: &str, rdatas: Vec<Vec<u8>>, jobs: Option<usize>) -> PyResult<NativeVerifier> {
        let origin = parse_origin(Some(origin))?.unwrap_or_else(Name::root);
        let keyset = KeySet::from_rdatas(origin, rdatas).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(NativeVerifier { keyset, pool: make_pool(py, jobs)? })
    }

    /// from_wire(wire, origin, jobs): keys from wire-format DNSKEY RRs.
    #[staticmethod]
    fn from_wire(py: Python<'_>, wire: &[u8], origin: Option<&str>, jobs: Option<usize>) -> PyResult<NativeVerifier> {
        let origin = parse_origin(origin)?;
        let records = batch::records_from_wire(wire, "dnskeys").map_err(|e| to_pyerr(py, e))?;
        let keyset = KeySet::from_records(origin, &records, "dnskeys").map_err(|e| to_pyerr(py, e))?;
        Ok(NativeVerifier { keyset, pool: make_pool(py, jobs)? })
    }

    /// from_text(text, filename, origin, jobs): keys from zone-file text
    /// (the DNSKEY records owned by the origin; other records are ignored).
    #[staticmethod]
    fn from_text(
        py: Python<'_>,
        text: &[u8],
        filename: &str,
        origin: Option<&str>,
        jobs: Option<usize>,
    ) -> PyResult<NativeVerifier> {
        let origin = parse_origin(origin)?;
        let popts = ParseOptions { origin: origin.clone(), default_ttl: Some(0), allow_include: false };
        let z = zonefile::parse_zone(text, filename, &popts).map_err(|e| to_pyerr(py, e))?;
        let keyset = KeySet::from_records(origin, &z.records, filename).map_err(|e| to_pyerr(py, e))?;
        Ok(NativeVerifier { keyset, pool: make_pool(py, jobs)? })
    }

    #[getter]
    fn origin(&self) -> String {
        self.keyset.origin().to_text()
    }

    #[getter]
    fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// keys -> list of (key_tag, algorithm, flags, bits or None, problem or None, rdata)
    #[getter]
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (k, rd) in self.keyset.keys().iter().zip(self.keyset.rdatas()) {
            let (tag, alg, flags, bits, why) = batch::describe_key(k);
            out.append((tag, alg, flags, bits, why, PyBytes::new(py, rd)))?;
        }
        Ok(out)
    }

    /// verify_wire(wire, rr_counts, sig_counts, now, cache=None) -> dict of columns
    #[pyo3(signature = (wire, rr_counts, sig_counts, now, cache=None))]
    fn verify_wire<'py>(
        &self,
        py: Python<'py>,
        wire: &Bound<'py, PyAny>,
        rr_counts: &Bound<'py, PyAny>,
        sig_counts: &Bound<'py, PyAny>,
        now: u64,
        cache: Option<&NativeCache>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (_wb, w) = buffer::<u8>(wire, "wire", "unsigned bytes")?;
        let (_rb, rc) = buffer::<u32>(rr_counts, "rr_counts", "uint32")?;
        let (_sb, sc) = buffer::<u32>(sig_counts, "sig_counts", "uint32")?;
        let cache = cache.map(NativeCache::current);
        let ctx = BatchContext { keyset: &self.keyset, now, pool: &self.pool, cache: cache.as_deref() };
        let mut span = (0.0, 0.0);
        let r = run_detached(py, || {
            span.0 = unix_now_f64();
            // SAFETY: the three PyBuffers live until this function returns.
            let r = unsafe { batch::verify_wire(&ctx, w.slice(), rc.slice(), sc.slice()) };
            span.1 = unix_now_f64();
            r
        })?;
        outcome_to_dict(py, r, span)
    }

    /// verify_raw(data, data_offsets, sigs, sig_offsets, key_index, algorithm, now, cache=None) -> dict
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (data, data_offsets, sigs, sig_offsets, key_index, algorithm, now, cache=None))]
    fn verify_raw<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        data_offsets: &Bound<'py, PyAny>,
        sigs: &Bound<'py, PyAny>,
        sig_offsets: &Bound<'py, PyAny>,
        key_index: Option<&Bound<'py, PyAny>>,
        algorithm: Option<&Bound<'py, PyAny>>,
        now: u64,
        cache: Option<&NativeCache>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (_db, d) = buffer::<u8>(data, "data", "unsigned bytes")?;
        let (_dob, doff) = buffer::<i64>(data_offsets, "data_offsets", "int64")?;
        let (_sb, s) = buffer::<u8>(sigs, "signatures", "unsigned bytes")?;
        let (_sob, soff) = buffer::<i64>(sig_offsets, "sig_offsets", "int64")?;
        let ki = key_index.map(|k| buffer::<i64>(k, "key_index", "int64")).transpose()?;
        let al = algorithm.map(|a| buffer::<u8>(a, "algorithm", "uint8")).transpose()?;
        let cache = cache.map(NativeCache::current);
        let ctx = BatchContext { keyset: &self.keyset, now, pool: &self.pool, cache: cache.as_deref() };
        let mut span = (0.0, 0.0);
        let r = run_detached(py, || {
            span.0 = unix_now_f64();
            // SAFETY: every PyBuffer lives until this function returns.
            let r = unsafe {
                batch::verify_raw(
                    &ctx,
                    d.slice(),
                    doff.slice(),
                    s.slice(),
                    soff.slice(),
                    ki.as_ref().map(|k| k.1.slice()),
                    al.as_ref().map(|a| a.1.slice()),
                )
            };
            span.1 = unix_now_f64();
            r
        })?;
        outcome_to_dict(py, r, span)
    }
}

/// The native half of the batch `Verifier`'s verified-signature cache:
/// opened once, used by every batch given it, written by `save` (after
/// which the saved entries are reused too). Each batch works on the cache
/// as it was when the batch began.
#[pyclass(frozen, module = "zoneverify._native")]
struct NativeCache {
    cache: std::sync::RwLock<std::sync::Arc<Cache>>,
}

impl NativeCache {
    fn current(&self) -> std::sync::Arc<Cache> {
        self.cache.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[pymethods]
impl NativeCache {
    /// NativeCache(dir, max_entries=None): opens (or makes) the cache in
    /// `dir`; at most `max_entries` (default: as for `verify_file`).
    #[new]
    #[pyo3(signature = (dir, max_entries=None))]
    fn new(py: Python<'_>, dir: std::path::PathBuf, max_entries: Option<usize>) -> PyResult<NativeCache> {
        let max_entries = max_entries.unwrap_or(DEFAULT_CACHE_ENTRIES);
        if max_entries == 0 {
            return Err(PyValueError::new_err("cache_max_entries must be at least 1"));
        }
        let cache = py.detach(|| Cache::open(&dir, max_entries)).map_err(PyOSError::new_err)?;
        Ok(NativeCache { cache: std::sync::RwLock::new(std::sync::Arc::new(cache)) })
    }

    /// save() -> dict: writes the entries of every success so far; later
    /// batches reuse them.
    fn save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = py.detach(|| {
            let mut c = self.cache.write().unwrap_or_else(|e| e.into_inner());
            let (stats, next) = c.saved();
            *c = std::sync::Arc::new(next);
            stats
        });
        cache_stats_dict(py, &s)
    }

    /// stats() -> dict: what was done so far (nothing written).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        cache_stats_dict(py, &self.current().stats())
    }
}

/// A run's progress counters and its stop switch (`zoneverify.progress`):
/// read from any thread while the run holds no GIL.
#[pyclass(frozen, module = "zoneverify._native")]
struct NativeProgress {
    inner: std::sync::Arc<crate::progress::Progress>,
}

#[pymethods]
impl NativeProgress {
    /// `batch`: work items per batch of verification (default
    /// `progress::BATCH`; the tests use tiny ones, so that small zones are
    /// verified in many batches).
    #[new]
    #[pyo3(signature = (batch=None))]
    fn new(batch: Option<usize>) -> PyResult<NativeProgress> {
        match batch {
            Some(0) => Err(PyValueError::new_err("batch must be at least 1")),
            Some(n) => Ok(NativeProgress { inner: std::sync::Arc::new(crate::progress::Progress::with_batch(n)) }),
            None => Ok(NativeProgress { inner: Default::default() }),
        }
    }

    /// snapshot() -> (bytes read, bytes in all or 0, records, RRSIGs verified,
    /// RRSIGs to verify in all or 0, phase)
    fn snapshot(&self) -> crate::progress::Snapshot {
        self.inner.snapshot()
    }

    /// cancel(): the run stops at its next part or batch (KeyboardInterrupt).
    fn cancel(&self) {
        self.inner.cancel()
    }
}

/// records_from_wire(wire) -> list of (owner, type, class, ttl, rdata)
#[pyfunction]
fn records_from_wire<'py>(py: Python<'py>, wire: &[u8]) -> PyResult<Bound<'py, PyList>> {
    let recs = batch::records_from_wire(wire, "wire").map_err(|e| to_pyerr(py, e))?;
    let out = PyList::empty(py);
    for r in recs {
        out.append((r.owner.to_text(), r.rtype, r.class, r.ttl, PyBytes::new(py, &r.rdata)))?;
    }
    Ok(out)
}

/// verify_wire_zone(wire, source, origin, now, jobs, policy=None) -> dict:
/// a whole zone given as wire RRs (e.g. from a dns.zone.Zone).
#[pyfunction]
#[pyo3(signature = (wire, source, origin, now, jobs, policy=None))]
fn verify_wire_zone<'py>(
    py: Python<'py>,
    wire: &[u8],
    source: &str,
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (popts, vopts) = options(py, origin, false, now, jobs, policy)?;
    let r = run_detached(py, || {
        let t = std::time::Instant::now();
        let records = batch::records_from_wire(wire, source)?;
        let zone = zonefile::ParsedZone { records, files: vec![source.to_string()], origin: popts.origin.clone() };
        let parse = t.elapsed().as_secs_f64();
        let mut r = pipeline::verify_parsed(zone, &vopts)?;
        r.timings.parse = parse;
        Ok(r)
    })?;
    with_cache(py, report_to_dict(py, r)?, &vopts)
}

/// parse_count(text, filename, origin) -> int: parses zone text and returns
/// the number of records (the parse phase alone, for benchmarks).
#[pyfunction]
fn parse_count(py: Python<'_>, text: &[u8], filename: &str, origin: Option<&str>) -> PyResult<usize> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include: false };
    run_detached(py, || zonefile::parse_zone(text, filename, &popts).map(|z| z.records.len()))
}

/// A parsed zone kept in Rust, so that the phases after parsing can be
/// timed alone (benches/test_bench_phases.py).
#[pyclass(frozen, module = "zoneverify._native")]
struct PreparedZone {
    zone: zonefile::ParsedZone,
}

#[pymethods]
impl PreparedZone {
    #[new]
    fn new(py: Python<'_>, text: &[u8], filename: &str, origin: Option<&str>) -> PyResult<PreparedZone> {
        let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include: false };
        let zone = run_detached(py, || zonefile::parse_zone(text, filename, &popts))?;
        Ok(PreparedZone { zone })
    }

    /// records -> number of records
    #[getter]
    fn records(&self) -> usize {
        self.zone.records.len()
    }

    /// canonicalise(jobs) -> (RRSIGs prepared, octets of signed data); jobs None: one per core
    fn canonicalise(&self, py: Python<'_>, jobs: Option<usize>) -> PyResult<(usize, usize)> {
        run_detached(py, || pipeline::canonicalise_parsed(&self.zone, jobs))
    }

    /// verify(now, jobs, policy=None) -> dict, as verify_text without parsing
    #[pyo3(signature = (now, jobs, policy=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        now: u64,
        jobs: Option<usize>,
        policy: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (_, vopts) = options(py, None, false, now, jobs, policy)?;
        let r = run_detached(py, || pipeline::verify_parsed_ref(&self.zone, &vopts))?;
        with_cache(py, report_to_dict(py, r)?, &vopts)
    }
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
    crate::dns::rrtype::to_mnemonic(rtype)
}

/// finding_codes() -> list of (code, default severity), zone-level checks.
#[pyfunction]
fn finding_codes() -> Vec<(&'static str, &'static str)> {
    Code::ALL.iter().map(|c| (c.as_str(), c.default_severity().as_str())).collect()
}

/// algorithm_name(alg) -> mnemonic.
/// algorithm_number(text) -> int | None: a DNSSEC algorithm number from a
/// number or mnemonic (`13`, `ECDSAP256SHA256`).
#[pyfunction]
fn algorithm_number(text: &str) -> Option<u8> {
    crate::parse::rdata::algorithm_from_text(text.trim().as_bytes())
}

#[pyfunction]
fn algorithm_name(alg: u8) -> String {
    crypto::algorithm_name(alg)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(verify_file, m)?)?;
    m.add_function(wrap_pyfunction!(verify_text, m)?)?;
    m.add_function(wrap_pyfunction!(verify_axfr, m)?)?;
    m.add_class::<ZoneFingerprint>()?;
    m.add_function(wrap_pyfunction!(parse_records, m)?)?;
    m.add_function(wrap_pyfunction!(key_tag, m)?)?;
    m.add_function(wrap_pyfunction!(supported_algorithms, m)?)?;
    m.add_function(wrap_pyfunction!(statuses, m)?)?;
    m.add_function(wrap_pyfunction!(algorithm_name, m)?)?;
    m.add_function(wrap_pyfunction!(algorithm_number, m)?)?;
    m.add_function(wrap_pyfunction!(type_name, m)?)?;
    m.add_function(wrap_pyfunction!(finding_codes, m)?)?;
    m.add_function(wrap_pyfunction!(records_from_wire, m)?)?;
    m.add_function(wrap_pyfunction!(verify_wire_zone, m)?)?;
    m.add_class::<NativeVerifier>()?;
    m.add_class::<NativeCache>()?;
    m.add_class::<NativeProgress>()?;
    cluster::register(m)?;
    m.add_class::<PreparedZone>()?;
    m.add_function(wrap_pyfunction!(parse_count, m)?)?;
    m.add_function(wrap_pyfunction!(policy_keys, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
