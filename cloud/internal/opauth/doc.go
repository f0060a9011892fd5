// Package opauth authenticates supervising operators (OPAUTH) with their
// own TS-CNS card, by challenge and response over the rpc topics.
//
// # Flow
//
//  1. operator_challenge: the kiosk sends the CF read from the operator's
//     card; the cloud answers a random 32-byte nonce, bound to that device
//     and CF, valid ChallengeTTL and usable once. Nonces are kept in the
//     database so any cmsd instance can check the answer.
//  2. operator_auth: the kiosk sends the card certificate (EF.C_Carta, X.509
//     DER), the nonce and the card's RSA PKCS#1 v1.5 signature over
//     SHA-256(nonce), made after the operator typed the PIN. The cloud
//     checks, in order: the nonce (known, same device and CF, not expired,
//     not used), the certificate chain to the configured operator CA, that
//     the certificate names the same CF, the signature, and the operator
//     registry (registered, enabled, counter of the device, menu). It then
//     creates an operator session bound to the device with a short TTL.
//
// Every refusal is the outcome operator_not_authorised; the reason is
// logged (never the nonce, the signature or a certificate dump).
//
// # Limits
//
// A device holds at most MaxChallenges (8) unused, unexpired challenges;
// more are refused (logged, counted in cms_opauth_challenges_capped_total)
// until one is used or expires. Two challenges asked at the same instant
// may both pass the count: the bound is approximate, not exact.
//
// An operator CRL past its NextUpdate is still applied, and is reported:
// gauge cms_opauth_crl_stale (CRLs past their NextUpdate, checked at start
// and at each authentication) and one WARN per CRL.
//
// See RFC 8017 section 8.2 (RSASSA-PKCS1-v1_5), RFC 5280 (path validation)
// and procedures.md (OPAUTH).
package opauth
