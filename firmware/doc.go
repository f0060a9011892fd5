// Package firmware is the kiosk daemon's module. The daemon (cmd/kioskd)
// arrives with the next wave of work; it is built on hw/ and shared/.
package firmware
