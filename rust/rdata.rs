//! Presentation-format RDATA to wire form, per type. STUB: being written.
