package vprinter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
)

// Config of a virtual printer.
type Config struct {
	Addr   string       // listen address; "127.0.0.1:9100" if empty, ":0" for any free port
	Dots   int          // paper width in dots: Dots58 or Dots80 (default)
	Dir    string       // if set, each receipt is saved there as NNNN.txt and NNNN.png
	Logger *slog.Logger // required
	Now    func() time.Time

	// OnReceipt, if set, is called with each receipt on the connection's
	// print goroutine before any later command of that connection prints
	// (tests use it to change the state "while" a receipt prints).
	OnReceipt func(Receipt)

	// LineTime is how long printing one line takes (LF, ESC d n lines);
	// zero prints at once. Printing runs behind the receiving side, as on
	// a real printer: DLE EOT is answered on arrival, GS ( H only once
	// everything before it has printed.
	LineTime time.Duration

	// MaxPageLines ends a receipt that was never cut after this many paper
	// lines (LF, ESC d n); MaxPageCommands after this many commands. The
	// rest of the connection prints as the next receipt, and the cut page
	// is logged. Defaults 2000 lines (about 8 m of paper) and 50000.
	MaxPageLines    int
	MaxPageCommands int
}

// Receipt is one printed receipt: the commands up to and including a cut,
// or up to the end of a connection.
type Receipt struct {
	Seq        int
	At         time.Time
	Commands   []escpos.Command
	Transcript string // escpos.Transcript of Commands
	PNG        []byte // the paper, Dots wide
	Path       string // base path of the saved files without extension, if saved
}

// Printer is a virtual ESC/POS printer. Lifecycle: New, Run, Close.
type Printer struct {
	cfg      Config
	log      *slog.Logger
	ln       net.Listener
	receipts chan Receipt

	mu            sync.Mutex
	state         printer.Status
	manualOffline bool // "offline" command, as opposed to an offline cause
	linesLeft     int  // "paper out after N lines": lines until the paper ends; 0 = off
	seq           int
	conns         map[net.Conn]struct{}
	wg            sync.WaitGroup
}

// MaxInput bounds the bytes buffered for one incomplete command.
const MaxInput = 1 << 20

// New listens on cfg.Addr and returns the printer; Run serves it.
func New(cfg Config) (*Printer, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:9100"
	}
	if cfg.Dots <= 0 {
		cfg.Dots = Dots80
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxPageLines <= 0 {
		cfg.MaxPageLines = 2000
	}
	if cfg.MaxPageCommands <= 0 {
		cfg.MaxPageCommands = 50000
	}
	if err := loadFaces(); err != nil {
		return nil, err
	}
	if err := privateDir(cfg.Dir); err != nil {
		return nil, err
	}
	last, err := lastSaved(cfg.Dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("vprinter: listen: %w", err)
	}
	return &Printer{cfg: cfg, log: cfg.Logger, ln: ln, receipts: make(chan Receipt, 64),
		conns: map[net.Conn]struct{}{}, seq: last}, nil
}

// Addr returns the address the printer listens on.
func (p *Printer) Addr() string { return p.ln.Addr().String() }

// Receipts delivers each receipt once it is complete. If nobody reads, the
// 65th pending receipt and later ones are dropped from the channel (they
// are still saved to Dir).
func (p *Printer) Receipts() <-chan Receipt { return p.receipts }

// State returns the simulated printer state.
func (p *Printer) State() printer.Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Set replaces the simulated printer state.
func (p *Printer) Set(s printer.Status) {
	p.mu.Lock()
	p.state = s
	p.mu.Unlock()
	p.log.Info("vprinter state", "status", s.String())
}

// Run accepts connections until ctx is done or Close is called.
func (p *Printer) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { p.ln.Close() })
	defer stop()
	p.log.Info("vprinter listening", "addr", p.Addr(), "dots", p.cfg.Dots)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			p.closeConns()
			p.wg.Wait()
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("vprinter: accept: %w", err)
		}
		p.mu.Lock()
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(ctx, c)
	}
}

// Close stops listening and closes every connection.
func (p *Printer) Close() error {
	err := p.ln.Close()
	p.closeConns()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (p *Printer) closeConns() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *Printer) receipt(cmds []escpos.Command) (Receipt, error) {
	img, err := Render(cmds, p.cfg.Dots)
	if err != nil {
		return Receipt{}, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Receipt{}, fmt.Errorf("vprinter: png: %w", err)
	}
	p.mu.Lock()
	p.seq++
	r := Receipt{Seq: p.seq, At: p.cfg.Now(), Commands: cmds, Transcript: escpos.Transcript(cmds), PNG: buf.Bytes()}
	p.mu.Unlock()
	if p.cfg.Dir != "" {
		r.Path = filepath.Join(p.cfg.Dir, fmt.Sprintf("%04d", r.Seq))
		if err := save(r); err != nil {
			return r, err
		}
		p.log.Info("receipt saved", "path", r.Path+".png")
	}
	return r, nil
}

// privateDir makes dir (if set) a directory only its owner can read:
// receipts carry the first halves of PIN and PUK. The files in it are
// written 0600 (os.CreateTemp, then renamed).
func privateDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("vprinter: receipts directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("vprinter: receipts directory: %w", err)
	}
	return nil
}

// lastSaved returns the highest receipt number already saved in dir, so a
// restarted printer numbers on and never overwrites an earlier receipt.
func lastSaved(dir string) (int, error) {
	if dir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("vprinter: receipts directory: %w", err)
	}
	last := 0
	for _, e := range entries {
		stem, ok := strings.CutSuffix(e.Name(), ".txt")
		if n, err := strconv.Atoi(stem); ok && err == nil && n > last {
			last = n
		}
	}
	return last, nil
}

func save(r Receipt) error {
	for ext, data := range map[string][]byte{".txt": []byte(r.Transcript), ".png": r.PNG} {
		if err := writeAtomic(r.Path+ext, data); err != nil {
			return err
		}
	}
	return nil
}

// writeAtomic writes data to path through a synced temporary file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("vprinter: save: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("vprinter: save: %w", err)
	}
	return nil
}
