// Package printer drives an ESC/POS receipt printer over a byte transport:
// the USB printer class device (/dev/usb/lp0), a serial line (/dev/serial0,
// /dev/ttyUSB0) or raw TCP port 9100.
//
// A [Printer] checks the real-time status (DLE EOT 1..4) before each receipt
// and refuses to print on paper end, open cover, offline or an error, so
// nothing half-printed comes out; it checks again after the receipt and
// reports what happened meanwhile. Every read and write has a deadline: a
// printer that answers nothing gives [ErrTimeout], never a hang.
//
// Errors are sentinels ([ErrPaperOut], [ErrCoverOpen], [ErrOffline], ...)
// wrapped with detail for the log; [Message] gives the Italian sentence for
// the operator.
//
// # Status bytes (Epson ESC/POS, DLE EOT n)
//
// Every answer has bit 1 and bit 4 set, bits 0 and 7 clear; a healthy idle
// printer answers 0x12 to each request.
//
//	n=1 printer: bit 3 offline
//	n=2 offline cause: bit 2 cover open, bit 3 feed button, bit 5 stopped by paper end, bit 6 error
//	n=3 error cause: bit 3 cutter error, bit 5 unrecoverable, bit 6 auto-recoverable
//	n=4 paper sensor: bits 2+3 near end, bits 5+6 paper end
package printer
