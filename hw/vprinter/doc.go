// Package vprinter is a virtual ESC/POS receipt printer: it listens on TCP
// (port 9100 by default, like a network printer), decodes what it receives
// with package escpos, answers the real-time status requests DLE EOT 1..4,
// and turns each receipt (everything up to a cut) into a [Receipt]: a text
// transcript of the commands and a PNG image of the paper.
//
// Tests and the development setup drive it through its Go API
// ([Printer.Set], [Printer.Control]) or, in the vprinter binary, through
// lines on standard input or an HTTP control endpoint: the paper can run
// out or near its end, the cover can open, the printer can go offline.
// While it cannot print, it still answers status requests but discards the
// data, as a real printer refuses to print.
//
// # Rendering
//
// Font A is drawn as 12 x 24 dot cells with Go Mono (Go Mono Bold for
// ESC E), scaled for GS ! / ESC ! sizes; the paper is 384 dots wide for
// 58 mm and 576 for 80 mm, at 203 dpi. QR codes (GS ( k, model 2) are drawn
// with the stored module size and error level. Unknown commands are listed
// in the transcript and otherwise ignored.
package vprinter
