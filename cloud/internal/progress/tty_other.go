//go:build !linux

package progress

import "os"

// isTTY falls back to the character-device check where TCGETS is not
// available.
func isTTY(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
