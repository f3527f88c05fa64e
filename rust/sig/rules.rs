//! The RRSIG rules before the public-key operation (RFC 4035 §5.3.1):
//! covered RRset present, signer is the apex, labels not too large.

use crate::dns::canon::{self, Rrsig};
use crate::dns::name::Name;
use crate::dns::rrtype;
use crate::sig::keys::{crypto_verdict, Keys};
use crate::sig::profile::Profile;
use crate::sig::status::Status;

/// What every RRSIG of one zone is checked against.
pub struct Rules<'a> {
    pub keys: &'a Keys<'a>,
    pub apex: &'a Name,
    pub now: u64,
    pub prof: Option<&'a Profile>,
}

impl Rules<'_> {
    /// The status of one RRSIG owned by `owner`, and the reason when it is
    /// not valid. `sig` is `None` when its RDATA cannot be decoded;
    /// `covered` is the class of the RRset it covers, `None` when there is
    /// no such RRset at the owner; `canon_rdatas` that RRset's RDATAs in
    /// canonical form and order. `buf` holds the signed data.
    pub fn check(
        &self,
        owner: &Name,
        sig: Option<&Rrsig<'_>>,
        covered: Option<u16>,
        canon_rdatas: &[Vec<u8>],
        buf: &mut Vec<u8>,
    ) -> (Status, Option<String>) {
        let Some(sig) = sig else {
            return (Status::Malformed, Some("RRSIG RDATA cannot be decoded".into()));
        };
        let tname = rrtype::to_mnemonic(sig.type_covered);
        let Some(class) = covered else {
            return (
                Status::Orphan,
                Some(format!("covers {tname}, but there is no {tname} RRset at {owner}")),
            );
        };
        // RFC 4035 §5.3.1: the Signer's Name must be the zone containing the
        // RRset, i.e. the apex for every RRSIG in a zone file.
        if !sig.signer_is(self.apex) {
            return (
                Status::SignerNotApex,
                Some(format!("signer name {} is not the zone apex {}", sig.signer_name(), self.apex)),
            );
        }
        // RFC 4035 §5.3.1: the Labels field must be <= the owner's labels.
        let owner_labels = owner.rrsig_labels();
        if sig.labels as usize > owner_labels {
            return (
                Status::LabelsTooLarge,
                Some(format!(
                    "labels field {} is larger than the {} labels of the owner",
                    sig.labels, owner_labels
                )),
            );
        }
        let prof = self.prof;
        crypto_verdict(self.keys, sig, self.now, prof, || {
            let t = Profile::start(prof);
            canon::signed_data(buf, sig, owner, class, canon_rdatas);
            Profile::add_canon(prof, t);
            &buf[..]
        })
    }
}
