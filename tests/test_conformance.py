"""Zone-level conformance over the shared corpus (../shared/corpus, read in place).

One row per full zone (signed, or carrying a ZONEMD) for which
corpus/MANIFEST.md states a verdict, verified at the time the MANIFEST gives
with the zone-level checks on. RRset fragments are covered by
test_corpus.py.

Each row states what the MANIFEST says, in our vocabulary:

* ``expect``: "pass" or "fail" - the source's verdict. Where the sources
  disagree with each other or with the RFCs (MANIFEST "Notable findings"),
  the row holds OUR verdict and a comment quoting the RFC clause that
  decides it.
* ``codes``: the finding codes the stated defects map to ("NSEC bitmap
  omits MX" -> nsec-bitmap, "orphan RRSIG" -> orphan-rrsig, ...). They are
  written from the MANIFEST text, never copied from our output. Compared
  with the set of our ERROR codes, plus those of our warnings whose code is
  listed here (defects that are warnings in our scheme, e.g.
  zonemd-unsupported).
* ``tolerated``: codes that may or may not appear because they are a direct
  consequence of a stated defect (e.g. a removed NSEC leaves its RRSIG
  orphaned; a corrupted RRSIG also breaks a ZONEMD that digests it,
  RFC 8976 §3.3.1). Neither required nor counted as extra.
* Unsigned ZONEMD zones: by design (DESIGN.md principle 1, code
  ``no-rrsig``) our overall verdict on a zone with no RRSIG is always FAIL,
  so ``r.ok`` is asserted False and ``no-rrsig`` is expected; the verdict
  compared with the source is then "no error other than no-rrsig", i.e. the
  ZONEMD verdict, which is what those sources assert.

A row where we currently disagree is ``xfail(strict=True)`` with a one-line
reason; a fix turns it into an XPASS failure that forces the table to be
updated. Exceptions are never xfailed: a zone that raises is a failure.

Not in this copy of the corpus (MANIFEST: "a few source sets are not
included"): the Knot semantic fixtures and BIND verify/checkzone outputs.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import zoneverify


def ts(s: str) -> int:
    return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))


@dataclass(frozen=True)
class Case:
    path: str                      # relative to the corpus
    expect: str                    # "pass" | "fail"
    codes: frozenset = frozenset()  # expected codes (see module doc)
    now: int | None = None         # unix seconds (None: unsigned, time irrelevant)
    origin: str | None = None      # None: from a pdns "config" file, else the SOA
    opts: tuple = ()               # extra verify_zone keyword options, as pairs
    tolerated: frozenset = frozenset()
    unsigned: bool = False
    anchor: str | None = None      # trust anchor text, or "rawkey:<corpus path>" (alg 8 KSK)
    label: str = ""                # distinguishes rows on the same file
    xfail: str | None = None
    skip: str | None = None
    raises: str | None = None      # expected exception class name (a FAIL verdict)

    @property
    def id(self) -> str:
        return self.path + (f"[{self.label}]" if self.label else "")


def C(path, expect, codes=(), now=None, **kw) -> Case:
    if isinstance(now, str):
        now = ts(now)
    kw["codes"] = frozenset(codes)
    kw["tolerated"] = frozenset(kw.get("tolerated", ()))
    if "opts" in kw:
        kw["opts"] = tuple(sorted(kw["opts"].items()))
    return Case(path, expect, now=now, **kw)


def U(path, expect="pass", codes=(), **kw) -> Case:
    """An unsigned zone with a ZONEMD (see module doc)."""
    return C(path, expect, set(codes) | {"no-rrsig"}, unsigned=True, **kw)


SOA_DUP = ("soa-count: an identical AXFR-style trailing copy of the SOA counts as a second SOA "
           "(RFC 2181 §5: identical RRs are to be treated as one)")
OUT_OF_ZONE = ("out-of-zone is an error in our scheme; RFC 8976 A.2 (and the dnst signer) carry "
               "out-of-zone data that is simply excluded")
RSA512 = "512-bit RSA keys (RFC 5155 App. A) are reported unsupported-key, not verified"
CDS_BAD = {"cds-mismatch", "cds-cdnskey-inconsistent"}

VI = "validns/t/issues/"
VZ = "validns/t/zones/"
LD = "ldns/test/25-ZONEMD.tpkg/"
DP = "dnspython/derived-from-tests_test_zonedigest.py/"
PD = "pdns/regression-tests.nobackend/zonemd-test-cases/zones/"
UB = "unbound/testdata/"
EDE = "unbound/testdata/ede.tdir/bogus/"
DN = "dnst/derived-from-src_commands_signzone.rs/"
DT = "dnst/test-data/"

UNBOUND_DS = "example.com. 3600 IN DS 55566 8 2 9c148338951ce1c3b5cd3da532f3d90dfcf92595148022f2c2fd98e5deee90af\n"
UNBOUND_DS_WRONG = UNBOUND_DS.replace("90af\n", "90ae\n")

CASES: list[Case] = [
    # ---------------------------------------------------------------- validns
    C(VI + "21-nsec3-without-corresponding/example.sec.signed", "pass", now=1345815800),
    C(VI + "24-delegated-nsec3/example.sec.signed", "pass", now=1345815800),
    C(VI + "25-nsec/example.sec.signed", "pass", now=1345815800),
    # validns -p ksk-exists: exactly 1 error "No KSK found"
    C(VI + "25-nsec/example.sec.signed", "fail", {"no-ksk-signature"}, now=1345815800,
      opts={"require_ksk": True}, label="ksk-exists"),
    C(VI + "26-spurios-glue/example.sec.signed.no-optout", "pass", now=1349357570),
    C(VI + "26-spurios-glue/example.sec.signed.nsec", "pass", now=1349358570),
    C(VI + "26-spurios-glue/example.sec.signed.optout", "pass", now=1349357570),
    C(VI + "32-sshfp-ecdsa-sha-256/example.sec.signed", "pass", now=1378203490),
    C(VI + "41-ksk-policy-check/example.sec.signed", "pass", now=1435671103,
      opts={"require_ksk": True}),
    C(VI + "51-support-curved-algorithms/13.example.com.signed", "pass", now=1459259658),
    C(VI + "51-support-curved-algorithms/14.example.com.signed", "pass", now=1459259658),
    C(VI + "dot-is-single-zero/example.sec.signed", "pass", now=1361306089),
    # validns: VALID. The apex DNSKEY RRset has an alg-5 ZSK (2642) but every
    # RRset is signed by alg 7 only. OUR verdict FAIL: RFC 4035 §2.2 "There MUST
    # be an RRSIG for each RRset using at least one DNSKEY of each algorithm in
    # the zone apex DNSKEY RRset" (RFC 6840 §5.11 relaxes validators, not zones).
    C(VI + "lots-of-rare-rrs/all.rr.org", "fail", {"missing-algorithm"}, now=1365591600),
    C(VI + "nsec-chain/example.com.signed", "pass", now=1361306089),
    # "apex NSEC not found"
    C(VI + "nsec-chain/example.com.signed-without-first-nsec", "fail", {"nsec-missing"},
      now=1361306089, tolerated={"nsec-chain"}),
    # "broken NSEC chain example.com. -> domain1.example.com.": the NSEC at
    # domain1 was removed - a chain break or a name without its NSEC
    C(VI + "nsec-chain/example.com.signed-without-last-nsec", "fail", {"nsec-chain|nsec-missing"},
      now=1361306089),
    # validns: VALID at 1501789043 (validns does not check CDS/CDNSKEY content).
    # OUR verdict FAIL: the apex CDS names key 50458 (alg 12), which is not in the
    # DNSKEY RRset (alg 5/8/10 keys 516, 44427, 48381, 1862), and the CDNSKEY
    # names 48381: RFC 7344 §4.1 (a CDS/CDNSKEY stands for a key of the child's
    # DNSKEY RRset) and §4 (CDS and CDNSKEY describe the same keys).
    C(VZ + "example.sec.signed", "fail", CDS_BAD, now=1501789043),
    C(VZ + "example.sec.signed", "fail", {"not-yet-valid"} | CDS_BAD, now=1303720010, label="too-new"),
    C(VZ + "example.sec.signed", "fail", {"expired"} | CDS_BAD, now=1561789043, label="too-old"),
    # 19 stated errors: DS with wrong GOST digest length (no code of ours for a
    # malformed DS digest: RFC 5933 §2 fixes it at 32 octets); MX missing from /
    # SRV extra in NSEC bitmaps -> nsec-bitmap; RRSIG for absent NAPTR ->
    # orphan-rrsig; original TTL differs -> ttl-mismatch; RRSIG(NSEC) signer key
    # not found -> no-matching-key; five chain errors -> nsec-chain (the skipped
    # names then lack their NSEC: nsec-missing tolerated); 8 x cannot verify ->
    # bad-signature. "Nothing else may be reported."
    C(VZ + "example.sec.signed.with-errors", "fail",
      {"ds-digest-length", "nsec-bitmap", "orphan-rrsig", "ttl-mismatch",
       "no-matching-key|signer-not-apex", "nsec-chain", "bad-signature"},
      # the inserted names (ghost DS, ns122 A, zzz CNAME/NSEC) carry no RRSIG;
      # validns reports them only as chain breaks
      now=1320094109, tolerated={"nsec-missing", "unsigned-rrset"}),

    # ------------------------------------------------------------------ ldns
    U(LD + "A.1.Simple-EXAMPLE-Zone", origin="example."),
    U(LD + "A.2.Complex-EXAMPLE-Zone", origin="example.", xfail=OUT_OF_ZONE),
    U(LD + "A.3.EXAMPLE-Zone-with-multiple-digests", origin="example."),
    # Source tolerates (-ZZZ) that the ZONEMD RRset has no RRSIG and the apex NSEC
    # bitmap omits ZONEMD. OUR verdict: FAIL - RFC 4035 §2.2 "each authoritative
    # RRset in a signed zone MUST be signed"; RFC 4034 §4.1.2 the bitmap lists the
    # types present at the owner.
    C(LD + "A.4.The-URI.ARPA-Zone", "fail", {"unsigned-rrset", "nsec-bitmap"}, now="20181021203928"),
    U(LD + "A.5.The-ROOT-SERVERS.NET-Zone"),
    U(LD + "repeated-ZONEMD-scheme-and-algorithm", "fail", {"zonemd-duplicate"}),

    # ------------------------------------------------------------- dnspython
    U(DP + "simple_example.zone"),
    U(DP + "complex_example.zone", xfail=OUT_OF_ZONE),
    # alg 240 / scheme 241 entries must not verify, the zone as a whole is VALID
    U(DP + "multiple_digests_example.zone"),

    # ------------------------------------------- pdns (Verisign zonemd-test-cases)
    U(PD + "01-sha384-simple/example.zone"),
    U(PD + "02-sha512-simple/example.zone"),
    U(PD + "10-uppercase-owner-names/example.zone"),
    U(PD + "11-uppercase-rdata-names/example.zone"),
    U(PD + "12-duplicate-rrs/example.zone"),
    U(PD + "13-extra-soa/example.zone"),
    U(PD + "14-non-apex-zonemd/example.zone"),
    U(PD + "15-no-rdata/example.zone"),
    U(PD + "16-occluding-ns/example.zone"),
    U(PD + "17-occluding-dname/example.zone"),
    U(PD + "18-sort-by-type/example.zone"),
    U(PD + "19-wildcard/example.zone"),
    U(PD + "20-generic-zonemd/example.zone"),
    U(PD + "21-out-of-zone-data/example.zone"),
    # MANIFEST: "digest intentionally not matching" (config expected_result=failure,
    # try_canonical=no). OUR verdict: the digest in the file equals the RFC 8976
    # §3.3 digest of the zone as RFC 1035 §5.1 reads it (relative SOA mname/rname
    # completed with the origin), so the ZONEMD verifies (RFC 8976 §4).
    U(PD + "22-lots-rr-types/example.com.zone"),
    U(PD + "23-multiple-zonemd/example.zone"),
    U(PD + "24-implied-ownername/example.zone"),
    # RFC 1035 §5.1: a record without TTL takes the last stated TTL
    U(PD + "25-implied-ttl/example.zone"),
    U(PD + "30-repeated-scheme-algorithm/example.zone", "fail", {"zonemd-duplicate"}),
    U(PD + "31-too-small-digest/example.zone", "fail", {"zonemd-malformed"}),
    U(PD + "32-truncated-digest/example.zone", "fail", {"zonemd-malformed"}),
    # Only an unknown hash algorithm / scheme. RFC 8976 §4 (verification steps):
    # a ZONEMD RR whose scheme or hash algorithm the verifier does not support
    # cannot make verification successful - which supports the source's FAIL.
    U(PD + "33-unknown-hash-algorithm/example.zone", "fail", {"zonemd-unsupported"}),
    U(PD + "34-unknown-scheme/example.zone", "fail", {"zonemd-unsupported"}),
    U(PD + "35-wrong-serial/example.zone", "fail", {"zonemd-serial"}),
    U(PD + "40-rfc8976-simple-example/example.zone"),
    U(PD + "41-rfc8976-complex-example/example.zone", xfail=OUT_OF_ZONE),
    U(PD + "42-rfc8976-multidigest-example/example.zone"),
    C(PD + "43-rfc8976-uri.arpa-example/uri.arpa.zone", "pass", now="20210201000000"),
    U(PD + "44-rfc8976-root-servers.net-example/root-servers.net.zone"),
    # DNSSEC valid against the test keys (no trust anchor given)
    C(PD + "45-root-zone/root.zone.hashed", "pass", now="20210602173136"),
    # intermediate: placeholder ZONEMD
    C(PD + "45-root-zone/root.zone.signed", "fail", {"zonemd-mismatch"}, now="20210602173136"),
    # Source checks only ZONEMD (success). NSEC next names were upper-cased after
    # signing; OUR verdict FAIL: RFC 6840 §5.1 removes NSEC from the RFC 4034 §6.2
    # list of types whose RDATA names are lower-cased, so the 12 NSEC RRSIGs
    # (made over lower-case names) do not verify.
    C(PD + "50-uppercase-nsec-rdata-names/arpa.zone.hashed", "fail", {"bad-signature"},
      now="20210713155612"),
    C(PD + "50-uppercase-nsec-rdata-names/arpa.zone.signed", "fail", {"zonemd-mismatch"},
      now="20210713155612"),
    C(PD + "51-uppercase-nsec3-rdata-names/arpa.zone.hashed", "pass", now="20210602170429"),
    C(PD + "51-uppercase-nsec3-rdata-names/arpa.zone.signed", "fail", {"zonemd-mismatch"},
      now="20210602170429"),
    C(PD + "52-uppercase-rrsig-rdata-names/arpa.zone.hashed", "pass", now="20210602170629"),
    C(PD + "52-uppercase-rrsig-rdata-names/arpa.zone.signed", "fail", {"zonemd-mismatch"},
      now="20210602170629"),
    C(PD + "53-bad-zonemd-rrsig/zonemd.packet-pushers.com.clean", "pass", now="20210608151543"),
    # ZONEMD digest valid (source: success) but its RRSIG is bad: a DNSSEC
    # verifier must flag it (RFC 8976 §4 step 2 verifies the ZONEMD RRSIG).
    C(PD + "53-bad-zonemd-rrsig/zonemd.packet-pushers.com.badsig", "fail", {"bad-signature"},
      now="20210608151543"),
    # records of class ANY: a QCLASS (RFC 1035 §3.2.5), not a class of data;
    # our parser rejects the zone, which is a FAIL verdict
    U(PD + "80-mixed-classes/example.zone", "fail", raises="ZoneParseError"),
    # RRset with mixed TTLs; the file says "TTL values are digested as-is" and the
    # digest does match as-is. The source's FAIL stands on RFC 2181 §5.2, which
    # deprecates differing TTLs in an RRset (they must be the same).
    U(PD + "81-mixed-ttls/example.zone", "fail", {"rrset-ttl"}),

    # --------------------------------------------------------- unbound zonemd
    U(UB + "zonemd.example2.zone"),
    # at 20180302005009 (the source's time) the RRSIGs are not yet valid (MANIFEST)
    C(UB + "zonemd.example3.zone", "fail", {"zonemd-mismatch", "not-yet-valid"}, now="20180302005009"),
    C(UB + "zonemd.example4.zone", "fail", {"zonemd-mismatch"}, now="20201020135527"),
    C(UB + "zonemd.example5.zone", "pass", now="20201020135527", anchor=UNBOUND_DS, label="anchor"),
    C(UB + "zonemd.example5.zone", "fail", {"trust-anchor-no-match"}, now="20201020135527",
      anchor=UNBOUND_DS_WRONG, label="wrong-ds"),
    C(UB + "zonemd.example5.zone", "fail", {"expired"}, now="20221020135527", anchor=UNBOUND_DS,
      label="expired", tolerated={"trust-anchor-no-match"}),
    C(UB + "zonemd.example6.zone", "pass", now="20201020135527", anchor=UNBOUND_DS),
    C(UB + "zonemd.example7.zone", "pass", now="20201020135527"),
    C(UB + "zonemd.example8.zone", "pass", now="20201020135527"),
    C(UB + "zonemd.example9.zone", "fail", {"bad-signature"}, now="20201020135527"),
    C(UB + "zonemd.example10.zone", "fail", {"bad-signature"}, now="20201020135527",
      tolerated={"zonemd-mismatch"}),
    C(UB + "zonemd.example11.zone", "fail", {"nsec-bitmap"}, now="20201020135527"),
    C(UB + "zonemd.example12.zone", "fail", {"nsec3-bitmap"}, now="20201020135527"),
    C(UB + "zonemd.example13.zone", "fail", {"bad-signature"}, now="20201020135527"),
    C(UB + "zonemd.example14.zone", "fail", {"bad-signature"}, now="20201020135527"),
    C(UB + "zonemd.example15.zone", "fail", {"bad-signature"}, now="20201020135527",
      tolerated={"zonemd-mismatch"}),
    U(UB + "zonemd.example16.zone", "fail", {"zonemd-duplicate"}),
    U(UB + "zonemd.example17.zone"),
    U(UB + "zonemd.example_a1.zone", origin="example."),
    U(UB + "zonemd.example_a2.zone", origin="example.", xfail=OUT_OF_ZONE),
    U(UB + "zonemd.example_a3.zone", origin="example."),
    # the ZONEMD in the file is the RFC original, the data was renumbered
    U(UB + "zonemd.example_a5.zone", "fail", {"zonemd-mismatch"}),
    C(UB + "zonemd.example_a4.zone", "pass",
      skip="MANIFEST asserts only the digest Unbound generates, at a time before every RRSIG inception"),

    # ------------------------------------------------------------ unbound EDE
    # DNSKEY RRset removed: EDE 9. Its RRSIG stays (orphan), no RRSIG has a key,
    # and the apex NSEC bitmap still lists DNSKEY.
    C(EDE + "dnskey-failures.test.signed", "fail", {"no-dnskey"}, now="20010101000000",
      tolerated={"no-matching-key", "orphan-rrsig", "nsec-bitmap"}),
    # sigsinvalid -> bad-signature; expired -> expired; notyetincepted ->
    # not-yet-valid; missingrrsigs -> unsigned-rrset; MANIFEST notable finding 3:
    # orphan RRSIG(NSEC) and an NSEC chain gap (the NSECs at expired.* and
    # notyetincepted.* dropped: a chain break or names without their NSEC).
    C(EDE + "dnssec-failures.test.signed", "fail",
      {"bad-signature", "expired", "not-yet-valid", "unsigned-rrset", "orphan-rrsig",
       "nsec-chain|nsec-missing"},
      now="20010101000000"),
    # all NSEC removed (EDE 12); the apex RRSIG(NSEC) stays
    # The zone has no NSEC/NSEC3 at all: our code for that is no-denial
    # (RFC 4035 §2.3), rather than one nsec-missing per name.
    C(EDE + "nsec-failures.test.signed", "fail", {"no-denial"}, now="20010101000000",
      tolerated={"orphan-rrsig", "nsec-chain"}),
    # all RRSIGs removed (EDE 10)
    C(EDE + "rrsig-failures.test.signed", "fail", {"no-rrsig"}, now="20010101000000"),

    # ------------------------------------------------------------------ dnst
    C(DN + "dnst_signzone_nsec3_signed_zone_example_with_minus_b.zone", "pass", now="20100721115959"),
    C(DN + "dnst_signzone_nsec3_signed_zone_example_with_minus_capital_l.zone", "pass", now="20100721115959"),
    C(DN + "dnst_signzone_nsec_signed_zone_example_with_minus_b.zone", "pass", now="20100721115959"),
    # the out-of-zone earlier-sorting.org. A is in the signer's expected output
    C(DN + "earlier_sorting_non_authoritative_records_should_work.zone", "pass", now="20240101010101",
      xfail=OUT_OF_ZONE),
    C(DN + "glue_records_should_not_be_nsec3_hashed_or_signed.zone", "pass", now="20240101010101"),
    C(DN + "glue_records_should_not_be_nsec_hashed_or_signed.zone", "pass", now="20040424183619"),
    C(DN + "ldns_signzone_disables_minus_b_when_output_is_to_stdout.zone", "pass", now="20241127162422"),
    # Source asserts this exact output (data signed by alg 15 only, DNSKEY by alg
    # 8 only). OUR verdict FAIL: RFC 4035 §2.2 "There MUST be an RRSIG for each
    # RRset using at least one DNSKEY of each algorithm in the zone apex DNSKEY
    # RRset" (RFC 6840 §5.11).
    C(DN + "multiple_algorithms_no_sign_with_every_unique_algorithm.zone", "fail",
      {"missing-algorithm"}, now="20240101010101"),
    # inception == expiration == 20240101010101: valid at exactly that second
    # (RFC 4035 §5.3.1: now within [inception, expiration], RFC 1982 compare)
    C(DN + "multiple_algorithms_with_sign_with_all_and_every_unique_algorithm.zone", "pass", now="20240101010101"),
    C(DN + "multiple_algorithms_with_sign_with_all_and_every_unique_algorithm_extra_ksk.zone", "pass",
      now="20240101010101"),
    C(DN + "multiple_algorithms_with_sign_with_all_and_every_unique_algorithm_extra_zsk.zone", "pass",
      now="20240101010101"),
    C(DN + "multiple_algorithms_with_sign_with_every_unique_algorithm.zone", "pass", now="20240101010101"),
    # MANIFEST notable finding 8: "valid only at that one second"
    C(DN + "multiple_algorithms_with_sign_with_every_unique_algorithm.zone", "fail", {"not-yet-valid"},
      now="20240101010100", label="1s-early"),
    C(DN + "multiple_algorithms_with_sign_with_every_unique_algorithm.zone", "fail", {"expired"},
      now="20240101010102", label="1s-late"),
    C(DN + "multiple_algorithms_with_sign_with_every_unique_algorithm_extra_zsk.zone", "pass", now="20240101010101"),
    C(DN + "multiple_algorithms_with_sign_with_every_unique_algorithm_extra_zsk_alt.zone", "pass",
      now="20240101010101"),
    C(DN + "rfc_4035_nsec_signed_zone_example.zone", "pass", now="20040424183619"),
    # Source asserts this exact output, whose NSEC3PARAM is "1 1 12 AABBCCDD"
    # (Opt-Out flag set, as ldns-signzone does). OUR verdict FAIL: RFC 5155 §4.1.2
    # says the NSEC3PARAM Opt-Out flag is not used and is zero, and that
    # NSEC3PARAM RRs with other flags are ignored - the zone has no usable one.
    C(DN + "rfc_5155_nsec3_signed_zone_example.zone", "fail", {"nsec3param"}, now="20100721115959"),
    U(DN + "rfc_8976_zonemd_the_root_servers_dot_net_zone.zone"),
    C(DN + "rfc_8976_zonemd_the_uri_dot_arpa_zone.zone", "pass", now="20210203232440"),
    C(DN + "rfc_9077_nsec3_ttl_minimum_select_soa_minimum.zone", "pass", now="20240101010101"),
    C(DN + "rfc_9077_nsec3_ttl_minimum_select_soa_ttl.zone", "pass", now="20240101010101"),
    C(DN + "rfc_9077_nsec_ttl_minimum_select_soa_minimum.zone", "pass", now="20240101010101"),
    C(DN + "rfc_9077_nsec_ttl_minimum_select_soa_ttl.zone", "pass", now="20240101010101"),
    C(DN + "signed_zone_with_cds_and_cdnskey_example.zone", "pass", now="20240101010101"),
    U(DT + "example.rfc8976-simple", origin="example."),
    U(DT + "example.rfc8976-complex", origin="example.", xfail=OUT_OF_ZONE),
    U(DT + "example.rfc8976-multiple-digests", origin="example."),
    U(DT + "root-servers.net.rfc8976"),
    # MANIFEST: "VALID at 2021-02-01 incl. ZONEMD (cross-check)", but XCHECK.md
    # contradicts it (ldns: "No keys with the keytag and algorithm from the RRSIG";
    # dnspython: 0 RRSIG ok, 15 fail; ZONEMD FAIL) - it is signer input whose
    # RRSIGs name keys not in its DNSKEY RRset. OUR verdict FAIL: RFC 4035 §5.3.1
    # needs a DNSKEY matching signer, algorithm and key tag.
    C(DT + "uri.arpa.rfc8976", "fail", {"no-matching-key", "zonemd-mismatch"}, now="20210201000000"),

    # ---------------------------------------------------------------- bind10
    C("bind10/src/lib/testutils/testdata/rfc5155-example.zone.signed", "pass", now="20100721115959",
      xfail=RSA512),
    C("bind10/tests/lettuce/configurations/nsec3/rfc5155-example.zone.signed", "pass", now="20100721115959",
      xfail=RSA512),

    # ------------------------------------------------------------ root zones
    # real IANA root 2017082100; DS owners upper case (RRset grouping is
    # case-insensitive, RFC 4343)
    C("pspacek-dnscache_simulator/root.zone", "pass", now="20170827163000"),
    # "KSK-2017 (20326) is published but not yet signing" the DNSKEY RRset: as the
    # only trust anchor (hickory's raw copy of the key) it must not match
    C("pspacek-dnscache_simulator/root.zone", "fail", {"trust-anchor-no-match"}, now="20170827163000",
      anchor="rawkey:hickory-dns/crates/proto/src/dnssec/roots/20326.rsa", label="anchor-ksk2017"),
    # sentinel. A is signed only by KSK 28972. dnssec-verify: VALID; Knot: "no
    # valid signature". OUR verdict PASS: RFC 4034 §2.1.2 makes the SEP flag a
    # hint that validators must not act on; RFC 4035 §2.2 asks only for an
    # RRSIG by a DNSKEY of each algorithm, whatever its flags.
    C("jschlyter-kskr-sentinel/root.zone.signed", "pass", now="20151112055440"),
]


def _param(c: Case):
    marks = []
    if c.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=c.xfail))
    if c.skip:
        marks.append(pytest.mark.skip(reason=c.skip))
    return pytest.param(c, id=c.id, marks=marks)


RESULTS: dict[str, dict] = {}


def _pdns_config(zone: Path) -> dict[str, str]:
    cfg = zone.parent / "config"
    out: dict[str, str] = {}
    if cfg.is_file():
        for line in cfg.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
    return out


def _origin(c: Case, zone: Path) -> str | None:
    if c.origin is not None:
        return c.origin
    if c.path.startswith(PD):
        o = _pdns_config(zone).get("origin", "example")
        return o if o.endswith(".") else o + "."
    return None


# MANIFEST entries of signed or ZONEMD files that are deliberately not rows
# (prefix -> reason). Every other such entry must be a row.
NOT_ROWS = {
    "unbound/testdata/test_sig": "RRset vector file (test_corpus.py)",
    "bind10/src/bin/": "query/load fixture: no DNSSEC verdict in the source",
    "bind10/src/lib/datasrc/": "load/lookup fixture: no DNSSEC verdict in the source",
    "bind10/tests/lettuce/features/": "Gherkin response spec, not a zone",
    "bind10/tools/query_cmp/": "no verdict in the source",
    "hickory-dns/conformance/dns-test/src/zone_file/muster.zone": "source only parses it, no validity claim",
    "dnspython/tests/example": "parser fixture, no DNSSEC verdict",
    "pspacek-dnscache_simulator/tests/test_root.zone.signed": "no validity claim",
    PD + "53-bad-zonemd-rrsig/zonemd.packet-pushers.com.queries": "dig output, not a zone file",
    "pdns/regression-tests.nobackend/zonemd-test-cases/verifiers/README.md": "documentation",
    PD + "53-bad-zonemd-rrsig/README.md": "documentation",
}


def manifest_zone_entries(manifest: Path) -> list[str]:
    """Corpus paths of MANIFEST entries whose meta shows RRSIGs or a ZONEMD."""
    import re
    src, sub, out = None, "", []
    for line in manifest.read_text().splitlines():
        m = re.match(r"## ([\w.-]+)/\s", line)
        if m:
            src, sub = m.group(1), ""
            continue
        m = re.match(r"\*\*`([^`]+/)`\*\*", line)
        if m:
            sub = m.group(1)
            continue
        if not line.strip():
            sub = ""
            continue
        m = re.match(r"- `([^`]+)` - .*_\((.*)\)_\s*$", line)
        if m and src and (re.search(r"\d+ sig\b", m.group(2)) or "ZONEMD" in m.group(2)):
            out.append(f"{src}/{sub}{m.group(1)}".replace("/./", "/"))
    return out


def test_every_manifest_zone_is_a_row(corpus):
    entries = manifest_zone_entries(corpus / "MANIFEST.md")
    assert len(entries) > 100, "MANIFEST format changed?"
    rows = {c.path for c in CASES}
    left = [p for p in entries if p not in rows and not any(p.startswith(k) for k in NOT_ROWS)]
    assert not left, f"MANIFEST zones with neither a row nor a reason: {left}"
    for c in CASES:
        assert (corpus / c.path).is_file(), c.path


def test_table_is_consistent():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate rows"
    assert len(CASES) >= 60
    for c in CASES:
        assert c.expect in ("pass", "fail"), c.id
        stated = c.codes - {"no-rrsig"} if c.unsigned else c.codes
        assert (c.expect == "pass") == (not stated and not c.raises), c.id
        assert c.unsigned or c.now is not None or c.skip, f"{c.id}: no time"
        assert not (c.codes & c.tolerated), c.id


def test_pdns_times_match_config(corpus):
    """Where a pdns config pins a validation_time, the row uses it."""
    for c in CASES:
        if c.path.startswith(PD):
            t = _pdns_config(corpus / c.path).get("validation_time")
            if t:
                assert c.now == ts(t), c.id


def case_options(case: Case, corpus: Path, tmp_path: Path) -> dict:
    """verify_zone's keywords for a case, its trust anchor written into
    `tmp_path` (test_cluster.py runs every case too)."""
    kw = dict(case.opts)
    if case.anchor:
        ta = tmp_path / f"anchor-{case.id.replace('/', '_')}.ds"
        text = case.anchor
        if text.startswith("rawkey:"):
            import base64
            raw = (corpus / text[len("rawkey:"):]).read_bytes()
            text = f". 172800 IN DNSKEY 257 3 8 {base64.b64encode(raw).decode()}\n"
        ta.write_text(text)
        kw["trust_anchor"] = ta
    return kw


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_conformance(case: Case, corpus, tmp_path):
    zone = corpus / case.path
    assert zone.is_file(), f"missing corpus file {case.path}"
    kw = case_options(case, corpus, tmp_path)
    if case.raises:
        exc = getattr(zoneverify, case.raises)
        with pytest.raises(exc):
            zoneverify.verify_zone(zone, origin=_origin(case, zone), now=case.now, **kw)
        RESULTS[case.id] = dict(expected=case.expect, ours="fail", codes=[case.raises],
                                expected_codes=[case.raises], agree=True, xfail=case.xfail)
        return
    r = zoneverify.verify_zone(zone, origin=_origin(case, zone), now=case.now, **kw)

    # "a|b": the stated defect maps to either code
    alternatives = [set(c.split("|")) for c in case.codes]
    listed = set().union(*alternatives) if alternatives else set()
    errors = {f.code for f in r.errors}
    ours = errors | ({f.code for f in r.warnings} & listed)
    if case.unsigned:
        assert not r.ok, "a zone without RRSIG never passes (no-rrsig)"
        verdict = "fail" if errors - {"no-rrsig"} else "pass"
    else:
        verdict = "pass" if r.ok else "fail"
    missing = {"|".join(sorted(a)) for a in alternatives if not (a & ours) and not (a & case.tolerated)}
    extra = ours - listed - case.tolerated
    agree = verdict == case.expect and not missing and not extra
    RESULTS[case.id] = dict(expected=case.expect, ours=verdict, codes=sorted(ours),
                            expected_codes=sorted(case.codes), agree=agree,
                            xfail=case.xfail)
    detail = "\n".join(str(f) for f in r.findings[:40])
    assert verdict == case.expect, f"verdict {verdict}, expected {case.expect}\n{detail}"
    assert not missing, f"expected codes not reported: {sorted(missing)}\n{detail}"
    assert not extra, f"codes not stated by the MANIFEST: {sorted(extra)}\n{detail}"


def test_zz_summary(capsys, tmp_path_factory):
    skipped = sum(1 for c in CASES if c.skip)
    run = [c for c in CASES if not c.skip]
    agree = sum(1 for c in run if RESULTS.get(c.id, {}).get("agree"))
    disagree = sum(1 for c in run if c.id in RESULTS and not RESULTS[c.id]["agree"])
    lines = [f"{'path':<100} {'expected':<8} {'ours':<5} codes"]
    for c in CASES:
        if c.skip:
            lines.append(f"{c.id:<100} {c.expect:<8} skip  ({c.skip})")
            continue
        res = RESULTS.get(c.id)
        if res is None:
            lines.append(f"{c.id:<100} {c.expect:<8} ?     (not run)")
            continue
        mark = "" if res["agree"] else "  DISAGREE" + (f" (xfail: {c.xfail})" if c.xfail else "")
        lines.append(f"{c.id:<100} {c.expect:<8} {res['ours']:<5} {','.join(res['codes']) or '-'}"
                     f" [expected {','.join(res['expected_codes']) or '-'}]{mark}")
    out = tmp_path_factory.getbasetemp() / "conformance-report.txt"
    out.write_text("\n".join(lines) + "\n")
    summary = (f"conformance: {len(CASES)} cases, {agree} agree, {disagree} disagree (xfail), "
               f"{skipped} skipped")
    with capsys.disabled():
        print(f"\n{summary}\nper-case table: {out}")
    if len(RESULTS) == len(run):
        not_marked = [c.id for c in run if not RESULTS[c.id]["agree"] and not c.xfail]
        assert not not_marked, f"disagreements without an xfail mark: {not_marked}"
