package coin

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// OpenPins initialises the host drivers (GPIO character device on the Pi)
// and looks up the input line and, unless inhibitName is empty, the
// INHIBIT line by name, e.g. "GPIO17" and "GPIO27".
func OpenPins(inName, inhibitName string) (in gpio.PinIO, inhibit gpio.PinIO, err error) {
	if _, err := host.Init(); err != nil {
		return nil, nil, fmt.Errorf("%w: host init: %w", ErrPin, err)
	}
	if in = gpioreg.ByName(inName); in == nil {
		return nil, nil, fmt.Errorf("%w: no line named %q", ErrPin, inName)
	}
	if inhibitName == "" {
		return in, nil, nil
	}
	if inhibit = gpioreg.ByName(inhibitName); inhibit == nil {
		return nil, nil, fmt.Errorf("%w: no line named %q", ErrPin, inhibitName)
	}
	return in, inhibit, nil
}
