// Package pki is the fleet's certificate authority: it creates the fleet CA
// (ECDSA P-256), the broker's server certificate and one client certificate
// per device, whose Common Name is the device id (the MQTT identity).
//
// # Files
//
// A CA lives in a directory as ca.pem (certificate) and ca-key.pem (private
// key, mode 0600). Issued bundles are written as cert.pem, key.pem and ca.pem.
// Every file is written atomically (temp file, fsync, rename).
//
// # Serials
//
// Serials are random 128-bit numbers, returned in lower-case hex so that the
// fleet registry can record them; the broker refuses a certificate whose
// serial the registry does not list as the device's current one, so that a
// disabled device or a replaced certificate is refused at once without a CRL.
//
// See RFC 5280 (X.509 profile) and the security model in the architecture
// document (mutual TLS, one certificate per device).
package pki
