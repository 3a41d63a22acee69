#!/usr/bin/env bash
# certs.sh DIR: a certificate authority (DIR/ca.pem) and a certificate for
# 127.0.0.1 signed by it (DIR/relay.pem, DIR/relay.key), for the SMTP
# stand-in's STARTTLS; the cockpit trusts ca.pem through smtp_ca_file.
set -euo pipefail
cd "$1"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=RPM test relay CA"
openssl req -newkey rsa:2048 -nodes -keyout relay.key -out relay.csr -subj /CN=127.0.0.1
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in relay.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out relay.pem -days 2 -extfile ext.cnf
