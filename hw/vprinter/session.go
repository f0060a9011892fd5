package vprinter

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"cnskiosk.dev/hw/escpos"
)

func (p *Printer) serve(ctx context.Context, c net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
		c.Close()
	}()
	log := p.log.With("remote", c.RemoteAddr().String())
	log.Debug("connection")
	s := session{p: p, c: c, jobs: make(chan escpos.Command, 1024)}
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		s.print(ctx)
	}()
	err := s.loop(ctx)
	close(s.jobs)
	<-printed
	if err != nil {
		log.Warn("connection ended", "err", err)
	}
	s.finish(ctx)
}

// session is one connection: loop receives and answers real-time
// requests at once; print works through the other commands behind it.
type session struct {
	p     *Printer
	c     net.Conn
	wmu   sync.Mutex // serialises answers of both goroutines
	buf   []byte
	jobs  chan escpos.Command
	page  []escpos.Command // owned by print, then by finish
	lines int              // paper lines of page
}

func (s *session) loop(ctx context.Context) error {
	chunk := make([]byte, 4096)
	for {
		n, err := s.c.Read(chunk)
		s.buf = append(s.buf, chunk[:n]...)
		if perr := s.process(ctx); perr != nil {
			return perr
		}
		if err != nil {
			return nil // EOF or closed: the receipt ends here
		}
	}
}

func (s *session) process(ctx context.Context) error {
	for len(s.buf) > 0 {
		cmd, n, err := escpos.Parse(s.buf)
		if errors.Is(err, escpos.ErrIncomplete) {
			if len(s.buf) > MaxInput {
				return ErrTooLarge
			}
			break
		}
		s.buf = s.buf[n:]
		if cmd.Op == escpos.OpStatus {
			if err := s.answer(cmd.N); err != nil {
				return err
			}
			continue
		}
		select {
		case s.jobs <- cmd:
		case <-ctx.Done():
			return nil
		}
	}
	s.buf = append(s.buf[:0:0], s.buf...) // do not pin a large backing array
	return nil
}

// print prints the queued commands in order.
func (s *session) print(ctx context.Context) {
	for cmd := range s.jobs {
		if s.p.State().Err() != nil {
			continue // cannot print: the data is lost, as on a real printer
		}
		if cmd.Op == escpos.OpProcessID {
			_ = s.write(processIDReply(cmd.Data)) // a closed connection ends loop
			continue
		}
		s.page = append(s.page, cmd)
		n := s.p.feedLines(cmd)
		s.lines += n
		s.lineTime(ctx, n)
		switch {
		case cmd.Op == escpos.OpCut:
			s.finish(ctx)
		case s.lines >= s.p.cfg.MaxPageLines || len(s.page) >= s.p.cfg.MaxPageCommands:
			s.p.log.WarnContext(ctx, "receipt never cut: ended at the page limit",
				"lines", s.lines, "commands", len(s.page))
			s.finish(ctx)
		}
	}
}

// lineTime waits the time n lines take to print.
func (s *session) lineTime(ctx context.Context, n int) {
	if n == 0 || s.p.cfg.LineTime <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(n) * s.p.cfg.LineTime)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (s *session) write(b []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.c.Write(b)
	return err
}

func (s *session) answer(n int) error {
	if n < 1 || n > 4 {
		return nil // printers ignore other requests
	}
	return s.write([]byte{s.p.State().Encode()[n-1]})
}

// processIDReply answers GS ( H: everything before it has been printed.
func processIDReply(id []byte) []byte {
	var d [4]byte
	copy(d[:], id)
	return escpos.ProcessIDReply(d)
}

// feedLines counts the lines cmd uses against "paper out after N lines"
// and returns them.
func (p *Printer) feedLines(cmd escpos.Command) int {
	n := 0
	switch cmd.Op {
	case escpos.OpLF:
		n = 1
	case escpos.OpFeed:
		n = cmd.N
	}
	p.mu.Lock()
	armed := p.linesLeft > 0 && n > 0
	if armed {
		p.linesLeft = max(p.linesLeft-n, 0)
	}
	out := armed && p.linesLeft == 0
	p.mu.Unlock()
	if out {
		p.log.Info("vprinter paper ran out while printing")
		_, _ = p.Control("paper out")
	}
	return n
}

// finish turns the page into a receipt if it printed anything.
func (s *session) finish(ctx context.Context) {
	page := s.page
	s.page, s.lines = nil, 0
	if !printable(page) {
		return
	}
	r, err := s.p.receipt(page)
	if err != nil {
		s.p.log.ErrorContext(ctx, "render receipt", "err", err)
		return
	}
	if s.p.cfg.OnReceipt != nil {
		s.p.cfg.OnReceipt(r)
	}
	select {
	case s.p.receipts <- r:
	default:
		s.p.log.Warn("receipt channel full: not delivered", "seq", r.Seq)
	}
}

func printable(cmds []escpos.Command) bool {
	for _, c := range cmds {
		switch c.Op {
		case escpos.OpText, escpos.OpQRPrint, escpos.OpLF:
			return true
		}
	}
	return false
}
