package escpos

import (
	"fmt"
	"strings"
)

// Op names a decoded command.
type Op int

// Decoded command kinds.
const (
	OpUnknown   Op = iota // bytes this decoder does not model; Data holds them
	OpText                // printable text; Text holds it decoded from CP858
	OpLF                  // LF: print and feed one line
	OpCR                  // CR: ignored by printers in LF mode
	OpInit                // ESC @
	OpBold                // ESC E n; N = n & 1
	OpUnderline           // ESC - n; N = 0, 1 or 2
	OpAlign               // ESC a n; N = 0 left, 1 center, 2 right
	OpMode                // ESC ! n; N = print mode bits
	OpSize                // GS ! n; N = n (width-1)<<4 | (height-1)
	OpCodePage            // ESC t n
	OpFeed                // ESC d n; N lines
	OpCut                 // GS V m [n]; N = feed dots, Data = {m}
	OpQRModel             // GS ( k ... fn 65; N = model byte (49 model 1, 50 model 2)
	OpQRSize              // GS ( k ... fn 67; N = module size in dots
	OpQRLevel             // GS ( k ... fn 69; N = 48..51 (L, M, Q, H)
	OpQRStore             // GS ( k ... fn 80; Data = symbol data
	OpQRPrint             // GS ( k ... fn 81
	OpStatus              // DLE EOT n; N = n
	OpProcessID           // GS ( H fn 48: transmit process ID; Data = d1..d4
)

var opNames = [...]string{"UNKNOWN", "TEXT", "LF", "CR", "INIT", "BOLD", "UNDERLINE",
	"ALIGN", "MODE", "SIZE", "CODEPAGE", "FEED", "CUT", "QR-MODEL", "QR-SIZE",
	"QR-LEVEL", "QR-STORE", "QR-PRINT", "STATUS", "PROCESS-ID"}

func (o Op) String() string {
	if o >= 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Command is one decoded ESC/POS command or run of text.
type Command struct {
	Op   Op
	N    int    // numeric argument, by Op
	Text string // OpText: the text, decoded from CP858
	Data []byte // OpQRStore: the data; OpUnknown: the raw bytes; OpCut: the mode byte
}

// String renders c as one transcript line, e.g. `BOLD 1` or `TEXT "Nome"`.
func (c Command) String() string {
	switch c.Op {
	case OpText:
		return fmt.Sprintf("TEXT %q", c.Text)
	case OpLF, OpCR, OpInit, OpQRPrint:
		return c.Op.String()
	case OpQRStore:
		return fmt.Sprintf("QR-STORE %q", c.Data)
	case OpProcessID:
		return fmt.Sprintf("PROCESS-ID %q", c.Data)
	case OpUnknown:
		return fmt.Sprintf("UNKNOWN % X", c.Data)
	case OpSize:
		return fmt.Sprintf("SIZE %dx%d", c.N>>4&7+1, c.N&7+1)
	case OpAlign:
		return "ALIGN " + [...]string{"left", "center", "right", "?"}[min(c.N, 3)]
	}
	return fmt.Sprintf("%s %d", c.Op, c.N)
}

// Transcript renders commands one per line, ending with a newline.
func Transcript(cmds []Command) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}
