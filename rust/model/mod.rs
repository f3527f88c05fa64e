//! Stage 2, the zone model: records grouped into RRsets and owner names,
//! names classified (apex, authoritative, delegation, below a cut).

pub mod zone;
