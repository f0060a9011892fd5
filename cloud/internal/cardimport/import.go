package cardimport

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// Options tune an import. Zero values take the defaults.
type Options struct {
	BatchSize int              // rows per transaction (default 1000)
	Workers   int              // validating and sealing goroutines (default GOMAXPROCS)
	Lengths   Lengths          // PIN/PUK digits (default DefaultLengths)
	Now       func() time.Time // clock (default time.Now)
	Rejected  func(Reject)     // called for each rejected row, in file order
	Progress  func(Summary)    // called after each committed batch
}

// Reject is a row that was not imported. Reason never holds PIN or PUK.
type Reject struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Summary counts the rows of an import. Rows = Imported + Existing +
// Rejected; Conflicts and Unreadable are the parts of Rejected that were
// valid rows conflicting with a stored card, and lines that were not CSV.
type Summary struct {
	Rows       int           `json:"rows"`       // data lines read and committed
	Imported   int           `json:"imported"`   // new cards written
	Existing   int           `json:"existing"`   // rows identical to a card already stored
	Rejected   int           `json:"rejected"`   // rows not imported, each reported
	Conflicts  int           `json:"conflicts"`  // of Rejected: TEAM stored with other data or secrets
	Unreadable int           `json:"unreadable"` // of Rejected: lines that are not valid CSV
	LastLine   int           `json:"last_line"`  // last line of the file committed
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// Incomplete reports whether some lines of the file could not be read.
func (s Summary) Incomplete() bool { return s.Unreadable > 0 }

// Importer loads card files into one database.
type Importer struct {
	db   *store.DB
	v    *vault.Vault
	opts Options
	log  *slog.Logger
}

// New returns an Importer writing to db and sealing secrets with v.
func New(db *store.DB, v *vault.Vault, opts Options, log *slog.Logger) *Importer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Lengths == (Lengths{}) {
		opts.Lengths = DefaultLengths
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Importer{db: db, v: v, opts: opts, log: log}
}

// chunk is a batch of raw rows, then of results, numbered in file order.
type chunk struct {
	n          int
	lines      []int
	fields     [][]string
	errs       []error // read errors per row (nil if the row parsed)
	cards      []sealedCard
	rejects    []Reject
	unreadable int // lines that were not valid CSV
}

// Import reads a CSV file from r and imports its valid rows. It returns an
// error only when the file cannot be read as a whole (bad header, I/O) or
// the database fails; bad rows are counted and reported, not errors.
func (im *Importer) Import(ctx context.Context, r io.Reader) (Summary, error) {
	start := im.opts.Now()
	lr := newLineReader(r)
	cols, width, err := readHeader(lr)
	if err != nil {
		return Summary{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raw := make(chan *chunk, im.opts.Workers)
	done := make(chan *chunk, im.opts.Workers)
	readErr := make(chan error, 1)
	go func() { readErr <- im.read(ctx, lr, cols, width, raw) }()
	go im.work(ctx, raw, done)
	sum, err := im.write(ctx, done, cancel)
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	if err == nil {
		err = ctx.Err()
	}
	sum.Elapsed = im.opts.Now().Sub(start)
	im.log.InfoContext(ctx, "card import finished", "rows", sum.Rows, "imported", sum.Imported,
		"existing", sum.Existing, "rejected", sum.Rejected, "conflicts", sum.Conflicts,
		"unreadable", sum.Unreadable, "last_line", sum.LastLine, "elapsed", sum.Elapsed, "err", err)
	return sum, err
}
