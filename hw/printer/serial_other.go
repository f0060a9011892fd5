//go:build !linux

package printer

import "os"

const noCTTY = 0

// configureSerial is only implemented on Linux; elsewhere the line keeps
// the settings the system gave it unless no speed is asked for.
func configureSerial(_ *os.File, baud int) error {
	if baud > 0 {
		return ErrUnsupported
	}
	return nil
}
