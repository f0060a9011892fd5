// Package gpiosim simulates the kiosk's payment devices on fake GPIO lines:
// a pulse coin acceptor (CH-926 style: 20 ms pulses, 100 ms gaps, one pulse
// per EUR 0.10) and a POS terminal's "approved" relay.
//
// It builds on periph.io's gpiotest.Pin, whose EdgesChan carries the edges.
// gpiotest flushes queued edges when the code under test calls In, so [Pin]
// records that call and the [Injector] sends nothing before it.
//
// The injector sleeps with the time package: in tests run it inside a
// testing/synctest bubble and the pulse trains take no real time; in a demo
// (hwdiag pay watch --sim, make run) it runs in real time.
//
// Spec: domain-facts.md "Coin / payment input (GPIO)", pcsc-testing.md §10.
package gpiosim
