//! Zone model and verification. Being written.
