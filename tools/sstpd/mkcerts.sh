#!/bin/sh
# mkcerts.sh DIR [NAME...]: a throw-away CA and a server certificate for
# sstpd, via the openssl CLI.
#   DIR/ca.pem ca.key            the CA (trust it in the client: ssl ca-certificate)
#   DIR/server.pem server.key    serverAuth, SAN = every NAME given
# NAME is a DNS name or an IP address (v4 or v6); default: server.test and
# 127.0.0.1. Certificates are valid for 30 days.
set -eu
dir=${1:?usage: mkcerts.sh DIR [NAME...]}
shift
[ $# -gt 0 ] || set -- server.test 127.0.0.1
mkdir -p "$dir"
cd "$dir"

san=""
for n in "$@"; do
	case $n in
	*:* | [0-9]*.[0-9]*.[0-9]*.[0-9]*) e="IP:$n" ;;
	*) e="DNS:$n" ;;
	esac
	san=${san:+$san,}$e
done

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj "/CN=sstpd test CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key 2>/dev/null
openssl req -new -key server.key -out server.csr -subj "/CN=$1"
printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=serverAuth" "subjectAltName=$san" >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
	-extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
echo "$dir: ca.pem, server.pem/server.key for $san"
