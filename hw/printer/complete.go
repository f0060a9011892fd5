package printer

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"cnskiosk.dev/hw/escpos"
)

// DefaultLineTime is the time a thermal receipt printer (about 200 mm/s,
// 3.75 mm a line) takes for one line, with a margin.
const DefaultLineTime = 25 * time.Millisecond

// Time added by EstimatePrintTime for a QR code and for a cut.
const (
	qrLines = 8
	cutTime = 500 * time.Millisecond
)

// EstimatePrintTime is how long the printer needs for data: line feeds,
// feed commands and QR codes times the line time, plus the cut. Bytes it
// cannot decode count as nothing.
func EstimatePrintTime(data []byte, lineTime time.Duration) time.Duration {
	cmds, _ := escpos.Decode(data)
	var lines int
	var d time.Duration
	for _, c := range cmds {
		switch c.Op {
		case escpos.OpLF:
			lines++
		case escpos.OpFeed:
			lines += c.N
		case escpos.OpQRPrint:
			lines += qrLines
		case escpos.OpCut:
			d += cutTime
		}
	}
	return d + time.Duration(lines)*lineTime
}

// withProcessID appends GS ( H with the next process ID to data, unless
// the printer does not support it.
func (p *Printer) withProcessID(data []byte) []byte {
	if p.noPID {
		return data
	}
	p.seq = (p.seq + 1) % 10000
	out := make([]byte, 0, len(data)+11)
	out = append(out, data...)
	return append(out, escpos.ProcessIDRequest(p.processID())...)
}

func (p *Printer) processID() [4]byte {
	var id [4]byte
	copy(id[:], fmt.Sprintf("%04d", p.seq))
	return id
}

// waitPrinted waits until the printer has printed the receipt just sent,
// so that the status read next tells how the printing went (a status read
// right after the write would only say the printer was fine when the data
// arrived). With process IDs it waits for the printer's answer to GS ( H,
// at most the estimated print time plus the timeout: a printer that ran
// out of paper stops and does not answer. A printer that stays silent but
// reports no error does not support GS ( H: Print then switches this
// Printer to the fallback, which waits the estimated print time.
func (p *Printer) waitPrinted(ctx context.Context, data []byte) (confirmed bool) {
	est := EstimatePrintTime(data, p.line)
	if p.noPID {
		t := time.NewTimer(est)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		return false
	}
	want := escpos.ProcessIDReply(p.processID())
	err := p.ioFor(ctx, est+p.timeout, func() error { return p.readUntil(want) })
	if err == nil {
		return true
	}
	p.log.WarnContext(ctx, "no answer to the process ID request", "id", string(want[2:6]), "err", err)
	return false
}

// readUntil reads until the bytes read end with want; other answers
// (late ones of earlier requests) are discarded.
func (p *Printer) readUntil(want []byte) error {
	var got []byte
	buf := make([]byte, 64)
	for {
		n, err := p.conn.Read(buf)
		got = append(got, buf[:n]...)
		if i := bytes.Index(got, want); i >= 0 {
			return nil
		}
		if err != nil {
			return err
		}
		if len(got) > 256 {
			got = got[len(got)-len(want):]
		}
	}
}
