//go:build !linux

package coin

import "periph.io/x/conn/v3/gpio"

// OpenPins needs the Linux GPIO character device.
func OpenPins(inName, inhibitName string) (in gpio.PinIO, inhibit gpio.PinIO, err error) {
	return nil, nil, ErrUnsupported
}
