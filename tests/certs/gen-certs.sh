#!/bin/sh
# Makes throw-away test certificates in the directory given as $1:
#   ca.pem ca.key                 a test CA
#   good.pem good.key             DNS:server.test, serverAuth, signed by the CA
#   expired.pem expired.key       like good, but notAfter is in the past
#   wrongname.pem wrongname.key   DNS:other.test
#   noeku.pem noeku.key           EKU clientAuth only (no serverAuth)
#   noekuext.pem noekuext.key     no EKU extension at all
#   ip.pem ip.key                 IP:127.0.0.1 (and no DNS name)
#   self.pem self.key             self-signed DNS:server.test, serverAuth
# Bundled wolfSSL test certificates expire, so tests make fresh ones.
set -eu
dir=${1:?usage: gen-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj "/CN=sstpc test CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign

# leaf NAME DAYS EXTENSIONS...
leaf() {
	name=$1 days=$2
	shift 2
	key "$name.key"
	openssl req -new -key "$name.key" -out "$name.csr" -subj "/CN=$name"
	: >"$name.ext"
	for e in "$@"; do echo "$e" >>"$name.ext"; done
	openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days "$days" -extfile "$name.ext" -out "$name.pem" 2>/dev/null
	rm -f "$name.csr" "$name.ext"
}

base="basicConstraints=CA:FALSE"
leaf good 30 "$base" "subjectAltName=DNS:server.test" "extendedKeyUsage=serverAuth"
leaf expired -1 "$base" "subjectAltName=DNS:server.test" "extendedKeyUsage=serverAuth"
leaf wrongname 30 "$base" "subjectAltName=DNS:other.test" "extendedKeyUsage=serverAuth"
leaf noeku 30 "$base" "subjectAltName=DNS:server.test" "extendedKeyUsage=clientAuth"
leaf noekuext 30 "$base" "subjectAltName=DNS:server.test"
leaf ip 30 "$base" "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth"

key self.key
openssl req -x509 -new -key self.key -out self.pem -days 30 -subj "/CN=server.test" \
	-addext subjectAltName=DNS:server.test -addext extendedKeyUsage=serverAuth
rm -f ca.srl
