// Package pcsctest is a test rig for code that reads cards through pcscd:
// both vpcd slots ("Virtual PCD 00 00" and "00 01") with virtual cards, a
// [pcsc.Monitor] on them and a [pcsc.Context]. [New] takes the machine-wide
// vpcd slot lock first, so test binaries run in parallel by "go test ./..."
// take turns instead of stealing each other's cards.
//
// It needs pcscd with the vsmartcard vpcd driver (scripts/services.sh);
// without it [New] fails the test with a clear message.
package pcsctest
