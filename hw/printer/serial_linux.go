package printer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const noCTTY = unix.O_NOCTTY

var bauds = map[int]uint32{
	1200: unix.B1200, 2400: unix.B2400, 4800: unix.B4800, 9600: unix.B9600,
	19200: unix.B19200, 38400: unix.B38400, 57600: unix.B57600, 115200: unix.B115200,
}

// configureSerial puts the line in raw 8N1 mode at baud (0 keeps the speed),
// with hardware flow control off and the modem lines ignored.
func configureSerial(f *os.File, baud int) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var opErr error
	err = sc.Control(func(fd uintptr) { opErr = setRaw(int(fd), baud) })
	if err != nil {
		return err
	}
	return opErr
}

func setRaw(fd, baud int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("%w: not a terminal: %w", ErrUnsupported, err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CSTOPB | unix.CRTSCTS
	t.Cflag |= unix.CS8 | unix.CREAD | unix.CLOCAL
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if baud > 0 {
		b, ok := bauds[baud]
		if !ok {
			return fmt.Errorf("%w: baud %d", ErrAddress, baud)
		}
		t.Cflag = t.Cflag&^unix.CBAUD | b
		t.Ispeed, t.Ospeed = b, b
	}
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}
