#!/usr/bin/env bash
# Regenerates examples/sample.zone: a small TLD-like zone signed by BIND's
# dnssec-signzone with ECDSAP256SHA256 (algorithm 13), NSEC, KSK + ZSK,
# window 20261101000000 .. 20461101000000 (long on purpose: the README demo
# works for years without --now). Keys are made in a temporary directory and
# thrown away; no private key is ever written into the repository.
# Needs: dnssec-keygen, dnssec-signzone (Debian package bind9-utils).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
origin=sample

{
cat <<'ZONE'
$ORIGIN sample.
$TTL 86400
@           IN SOA  a.nic.sample. hostmaster.nic.sample. 2026110101 1800 900 604800 3600
@           IN NS   a.nic.sample.
@           IN NS   b.nic.sample.
a.nic       IN A    192.0.2.53
a.nic       IN AAAA 2001:db8:53::a
b.nic       IN A    198.51.100.53
b.nic       IN AAAA 2001:db8:53::b
nic         IN A    192.0.2.80
www.nic     IN A    192.0.2.80
www.nic     IN AAAA 2001:db8:80::1
nic         IN TXT  "registry of the sample. test TLD"
whois.nic   IN CNAME www.nic
ZONE
# twenty delegations: every third with a DS, every fourth with in-zone glue
for i in $(seq 1 20); do
    name=$(printf "domain%02d" "$i")
    if (( i % 4 == 0 )); then
        echo "$name IN NS ns1.$name"
        echo "$name IN NS ns2.$name"
        echo "ns1.$name IN A 203.0.113.$i"
        echo "ns2.$name IN AAAA 2001:db8:113::$i"
    else
        echo "$name IN NS ns1.hosting.example."
        echo "$name IN NS ns2.hosting.example."
    fi
    if (( i % 3 == 0 )); then
        digest=$(printf "%s" "$name" | sha256sum | cut -c1-64 | tr a-f A-F)
        echo "$name IN DS $((10000 + i)) 13 2 $digest"
    fi
done
} > "$work/sample.db"

cd "$work"
dnssec-keygen -q -K . -a ECDSAP256SHA256 -f KSK "$origin" >/dev/null
dnssec-keygen -q -K . -a ECDSAP256SHA256 "$origin" >/dev/null
dnssec-signzone -S -K . -o "$origin" -s 20261101000000 -e 20461101000000 \
    -f "$here/sample.zone" sample.db
