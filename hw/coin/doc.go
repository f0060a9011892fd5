// Package coin reads a pulse-output payment device on a GPIO line: a coin
// acceptor (CH-926 and similar) that emits a train of pulses per coin, or a
// POS terminal whose "approved" relay closes once per payment.
//
// # Pulse decoding
//
// [Decoder] is pure: it is fed (level, timestamp) edges and the passing of
// time ([Decoder.Tick]) and returns [Event] values. It never reads a clock.
//
//   - Value-proportional pulses: every pulse is worth Config.PulseCents
//     (default 10 = EUR 0.10), so coins inserted back to back, whose trains
//     merge, still sum right.
//   - Glitch filter: an active spike shorter than Config.Glitch (default
//     5 ms) is dropped; an inactive blip shorter than Config.Glitch inside a
//     pulse does not split it. Never set it near 100 ms: the gap between
//     pulses is about 100 ms and would be swallowed.
//   - Train end: after Config.Idle (default 400 ms) without pulses the train
//     is closed and reported with its amount and its raw pulse log
//     (start and width of every pulse) for audit.
//   - POS mode (ModePOS): one long pulse (>= Config.MinWidth, default 50 ms)
//     debounced by Config.Glitch (default 10 ms) means "payment approved".
//
// # GPIO driver
//
// [Acceptor] drives the device through periph.io's gpio.PinIn and
// gpio.PinOut: the input line with pull and both-edge detection, watched in
// a cancellable loop, and the INHIBIT output, asserted whenever no payment
// is expected so that coins are refused. [OpenPins] looks the lines up by
// name on the host (Linux only).
//
// Spec: domain-facts.md "Coin / payment input (GPIO)"; periph.io/x/conn/v3/gpio.
package coin
