// Package rules is the Card Management System domain as pure code: no SQL,
// no clock, no I/O.
//
// Given the time, the decoded operation body, the card found by the CMS
// (by Codice TEAM, and whether its codice fiscale names another card), the
// counter and its capabilities, the result of the operator check and the
// configured policy, [Decide] returns exactly one outcome code, a detail for
// the log and the effects the engine must apply in the operation's
// transaction.
//
// # Card lifecycle
//
//	not_active --activation--> active --revocation, theft/loss reissue--> revoked
//	active --activation of its malfunction replacement--> replaced
//	not_active --revocation, theft/loss reissue--> revoked
//
// revoked and replaced are final. Expiry is by date, not a state: a card
// past its expiry date (Europe/Rome calendar) cannot be activated,
// reprinted, given FSE consents or reissued.
//
// # Sources
//
// The procedures and outcome codes follow the CMS operating procedures of
// the Tuscan TS-CNS (procedures 1-10); docs/rules.md maps each procedure to
// its checks, in order, and records the decisions taken where the
// procedures are silent.
package rules
