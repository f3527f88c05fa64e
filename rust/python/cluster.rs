//! The binding of the cluster's tasks (`crate::cluster`, driven by
//! `zoneverify.cluster`): what the client and the workers call.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::checks::denial::NameHasher;
use crate::cluster::{parts, split, wire};
use crate::dns::name::Name;
use crate::parse::zonefile::{self, ParseOptions, RangeScan, RangeStart};

use super::{options, parse_origin, report_to_dict, run_detached};

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cluster_points, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_apex_keys, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_prepass, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_apex_run, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_scan, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_plan, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_check_part, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_join, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_apex_refused, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_check_shard, m)?)?;
    Ok(())
}

/// cluster_points(path, parts, apex=None) -> list of octet offsets, or None for a
/// compressed file (`cluster::split::points`)
#[pyfunction]
#[pyo3(signature = (path, parts, apex=None))]
fn cluster_points(py: Python<'_>, path: std::path::PathBuf, parts: usize, apex: Option<&str>) -> PyResult<Option<Vec<u64>>> {
    let apex = parse_origin(apex)?;
    run_detached(py, || split::points(&path, parts, apex.as_ref()))
}

/// cluster_apex_keys(path, origin) -> (apex, [DNSKEY RDATA]) or None
/// (`cluster::split::apex_keys`)
#[pyfunction]
fn cluster_apex_keys(py: Python<'_>, path: std::path::PathBuf, origin: Option<&str>) -> PyResult<Option<(String, Vec<Py<PyBytes>>)>> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include: false };
    let got = run_detached(py, || split::apex_keys(&path, &popts))?;
    Ok(got.map(|(apex, keys)| (apex.to_string(), keys.iter().map(|k| PyBytes::new(py, k).unbind()).collect())))
}

/// cluster_prepass(path, start, end, apex, dnskeys, secret, now, jobs) ->
/// dict: a worker's task (`cluster::prepass::run`); "entries" the
/// successes' cache entries, 32 octets each, ascending.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn cluster_prepass<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    start: u64,
    end: u64,
    apex: &str,
    dnskeys: Vec<Vec<u8>>,
    secret: Vec<u8>,
    now: u64,
    jobs: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let apex = parse_origin(Some(apex))?.unwrap_or_else(Name::root);
    let r = run_detached(py, || crate::cluster::prepass::run(&path, start, end, &apex, &dnskeys, &secret, now, jobs))?;
    let d = PyDict::new(py);
    let flat: Vec<u8> = r.entries.iter().flatten().copied().collect();
    d.set_item("entries", PyBytes::new(py, &flat))?;
    d.set_item("records", r.records)?;
    d.set_item("rrsigs", r.rrsigs)?;
    d.set_item("verified", r.verified)?;
    d.set_item("unparsed", r.unparsed)?;
    d.set_item("read_seconds", r.read_seconds)?;
    d.set_item("parse_seconds", r.parse_seconds)?;
    d.set_item("verify_seconds", r.verify_seconds)?;
    Ok(d)
}


/// cluster_apex_run(path, origin) -> (apex, records as octets) or None
/// (`cluster::split::apex_run`): what every part's task starts from.
#[pyfunction]
fn cluster_apex_run(py: Python<'_>, path: std::path::PathBuf, origin: Option<&str>) -> PyResult<Option<(String, Py<PyBytes>)>> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include: false };
    let got = run_detached(py, || split::apex_run(&path, &popts))?;
    Ok(got.map(|(apex, run)| (apex.to_string(), PyBytes::new(py, &parts::encode_records(&run)).unbind())))
}

/// cluster_scan(path, start, end) -> (newlines, [directive lines]) or None
/// (`parse::zonefile::scan_range`)
#[pyfunction]
fn cluster_scan(py: Python<'_>, path: std::path::PathBuf, start: u64, end: u64) -> PyResult<Option<(u32, Vec<Py<PyBytes>>)>> {
    let got = run_detached(py, || zonefile::scan_range(&path, start, end))?;
    Ok(got.map(|s| (s.newlines, s.directives.iter().map(|d| PyBytes::new(py, d).unbind()).collect())))
}

/// cluster_plan(scans, origin) -> [range start as octets] or None
/// (`parse::zonefile::plan_ranges`)
#[pyfunction]
fn cluster_plan(py: Python<'_>, scans: Vec<(u32, Vec<Vec<u8>>)>, origin: Option<&str>) -> PyResult<Option<Vec<Py<PyBytes>>>> {
    let popts = ParseOptions { origin: parse_origin(origin)?, default_ttl: None, allow_include: false };
    let scans: Vec<RangeScan> = scans.into_iter().map(|(newlines, directives)| RangeScan { newlines, directives }).collect();
    Ok(zonefile::plan_ranges(&scans, &popts).map(|plan| plan.iter().map(|s| PyBytes::new(py, &wire::encode(s)).unbind()).collect()))
}

fn hasher(keys: &[u8]) -> PyResult<NameHasher> {
    if keys.len() != 32 {
        return Err(PyValueError::new_err("the name hash keys are 32 octets"));
    }
    let k = |i: usize| u64::from_le_bytes(keys[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    Ok(NameHasher::with_keys([k(0), k(1), k(2), k(3)]))
}

/// cluster_check_part(path, start, end, at, apex_run, keys, origin, now,
/// jobs, policy, index=0, shards=1) -> dict: a range checked on a worker
/// (`cluster::parts::check`): "part" (octets) and "shares" (one per hash
/// range, octets), or "why" (it cannot be checked apart from the others);
/// "records", "rrsigs", "seconds".
#[pyfunction]
#[pyo3(signature = (path, start, end, at, apex_run, keys, origin, now, jobs, policy, index=0, shards=1))]
#[allow(clippy::too_many_arguments)]
fn cluster_check_part<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    start: u64,
    end: u64,
    at: &[u8],
    apex_run: &[u8],
    keys: &[u8],
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    policy: Option<&Bound<'_, PyDict>>,
    index: u32,
    shards: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (popts, vopts) = options(py, origin, false, now, jobs, policy)?;
    let at: RangeStart = wire::decode(at).map_err(PyValueError::new_err)?;
    let run = parts::decode_records(apex_run).map_err(PyValueError::new_err)?;
    let hasher = hasher(keys)?;
    let got = run_detached(py, || {
        Ok(parts::check(&path, start, end, &at, run, &popts, &vopts, hasher, index, shards)?
            .map(|(c, shares)| (c.records, c.rrsigs, c.seconds, wire::encode(&c), shares.iter().map(wire::encode).collect::<Vec<_>>())))
    })?;
    let d = PyDict::new(py);
    match got {
        Ok((records, rrsigs, seconds, part, shares)) => {
            d.set_item("records", records)?;
            d.set_item("rrsigs", rrsigs)?;
            d.set_item("seconds", seconds)?;
            d.set_item("part", PyBytes::new(py, &part))?;
            d.set_item("shares", shares.iter().map(|s| PyBytes::new(py, s)).collect::<Vec<_>>())?;
        }
        Err(why) => d.set_item("why", why)?,
    }
    Ok(d)
}

/// cluster_join(path, plan, parts, shards, apex, origin, now, jobs, policy)
/// -> the core's report dict, or why the parts cannot give it (a str)
/// (`cluster::parts::join`; `shards`: the hash ranges' results)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn cluster_join<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    plan: Vec<Vec<u8>>,
    parts: Vec<Vec<u8>>,
    shards: Vec<Vec<u8>>,
    apex: &str,
    origin: Option<&str>,
    now: u64,
    jobs: Option<usize>,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (_, vopts) = options(py, origin, false, now, jobs, policy)?;
    let apex = parse_origin(Some(apex))?.unwrap_or_else(Name::root);
    let plan: Vec<RangeStart> = plan.iter().map(|p| wire::decode(p)).collect::<Result<_, _>>().map_err(PyValueError::new_err)?;
    let got = py.detach(|| -> Result<_, String> {
        let got: Vec<crate::cluster::parts::Checked> = parts.iter().map(|p| crate::cluster::parts::decode(p)).collect::<Result<_, _>>()?;
        let outs: Vec<crate::checks::denial::ShardOut> = shards.iter().map(|b| wire::decode(b)).collect::<Result<_, _>>()?;
        crate::cluster::parts::join(&path, &plan, got, &outs, apex, &vopts)
    });
    match got {
        Ok(r) => Ok(report_to_dict(py, r)?.into_any()),
        Err(why) => Ok(pyo3::types::PyString::new(py, &why).into_any()),
    }
}

/// cluster_apex_refused(apex_run, origin, now, policy) -> why the zone
/// cannot be checked in parts at all, or None (`cluster::parts::apex_refused`)
#[pyfunction]
#[pyo3(signature = (apex_run, origin, now, policy=None))]
fn cluster_apex_refused(
    py: Python<'_>,
    apex_run: &[u8],
    origin: Option<&str>,
    now: u64,
    policy: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<String>> {
    let (popts, vopts) = options(py, origin, false, now, Some(1), policy)?;
    let run = parts::decode_records(apex_run).map_err(PyValueError::new_err)?;
    Ok(parts::apex_refused(run, &popts, &vopts))
}

/// cluster_check_shard(shares) -> the hash range's result (octets), or why
/// it does not hold (a str) (`cluster::parts::check_shard`)
#[pyfunction]
fn cluster_check_shard<'py>(py: Python<'py>, shares: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyAny>> {
    match py.detach(|| parts::check_shard(&shares)) {
        Ok(out) => Ok(PyBytes::new(py, &wire::encode(&out)).into_any()),
        Err(why) => Ok(pyo3::types::PyString::new(py, &why).into_any()),
    }
}
