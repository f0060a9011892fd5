// Package payment runs one payment at a time on a pulse payment device
// (coin acceptor or POS relay, package coin): it lifts INHIBIT, collects
// pulse trains until the amount is reached, the time runs out or the
// citizen or operator cancels, then inhibits again and reports a [Result]
// with the raw pulse log for audit.
//
// # Money is never lost
//
//   - INHIBIT is lifted only while a payment is expected.
//   - The amount is checked pulse by pulse: INHIBIT is asserted again as
//     soon as the pulses reach it, and the payment is closed when the coin's
//     pulse train ends, so the whole coin is counted; any excess is reported
//     as OverpaidCents.
//   - On timeout or cancel, after INHIBIT the session still waits
//     Options.Grace for a coin already in the validator, and for an open
//     train to end (at most Options.Drain): such money is in ReceivedCents
//     of the timed-out or cancelled result, for the operator to settle.
//   - Pulses that arrive with no payment open are anomalies: logged at warn,
//     counted, and sent on Updates.
//
// # Kiosk screen
//
// [Payment.Updates] carries the amount received so far, for the screen.
//
// Spec: domain-facts.md "Coin / payment input (GPIO)"; procedures.md (buying
// a smart card reader, EUR 4.20).
package payment
