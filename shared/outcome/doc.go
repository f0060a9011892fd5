// Package outcome holds the outcome codes of CMS operations and the Italian
// message shown to the operator for each (procedures.md, "Outcomes").
//
// Codes are part of the contract between kiosk and cloud: the kiosk shows
// the message, the console filters by code. Add codes, never reuse one for
// another meaning.
package outcome
