package apdu

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Step is one command and its response, as a [Recorder] keeps it.
type Step struct {
	Command  []byte
	Response []byte
}

// Recorder is a Transmitter that passes commands to T and keeps every
// exchange, for transcripts and diagnostics. [Transcript] hides the data of
// VERIFY and RESET RETRY COUNTER (PIN and PUK).
type Recorder struct {
	T Transmitter

	mu    sync.Mutex
	steps []Step
}

// Transmit forwards cmd to r.T and records the exchange.
func (r *Recorder) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	out, err := r.T.Transmit(ctx, cmd)
	if err != nil {
		return out, err
	}
	r.mu.Lock()
	r.steps = append(r.steps, Step{append([]byte(nil), cmd...), append([]byte(nil), out...)})
	r.mu.Unlock()
	return out, nil
}

// Steps returns the exchanges so far.
func (r *Recorder) Steps() []Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Step(nil), r.steps...)
}

// secret reports whether a command carries a PIN or PUK.
func secret(c Command) bool { return c.INS == 0x20 || c.INS == 0x24 || c.INS == 0x2C }

// Transcript renders steps as text: for each exchange, comment lines that
// explain every byte, then "> command" and "< response" in hex. elide may
// replace a response's data with a note (return "" to keep it).
func Transcript(steps []Step, elide func(i int, s Step) string) string {
	var b strings.Builder
	for i, s := range steps {
		c, err := ParseCommand(s.Command)
		if err != nil {
			fmt.Fprintf(&b, "# unparsable command\n> % X\n", s.Command)
			continue
		}
		b.WriteString(DescribeCommand(c))
		if secret(c) && len(c.Data) > 0 {
			fmt.Fprintf(&b, "> %02X %02X %02X %02X %02X <%d secret bytes>\n", c.CLA, c.INS, c.P1, c.P2, len(c.Data), len(c.Data))
		} else {
			fmt.Fprintf(&b, "> % X\n", s.Command)
		}
		r, _ := ParseResponse(s.Response)
		fmt.Fprintf(&b, "# response: %d data bytes, SW1 SW2 %02X %02X (%s)\n", len(r.Data), r.SW1(), r.SW2(), swText(r))
		if note := elide(i, s); note != "" {
			fmt.Fprintf(&b, "< <%s> %02X %02X\n", note, r.SW1(), r.SW2())
		} else {
			fmt.Fprintf(&b, "< % X\n", s.Response)
		}
	}
	return b.String()
}

func swText(r Response) string {
	if err := r.Err(); err != nil {
		return strings.TrimPrefix(err.Error(), "apdu: ")
	}
	return "OK"
}
