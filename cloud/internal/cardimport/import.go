package cardimport

import (
	"context"
	"encoding/csv"
	"fmt"
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

// Summary counts the rows of an import.
type Summary struct {
	Rows     int           `json:"rows"`     // data rows read
	Imported int           `json:"imported"` // new cards written
	Existing int           `json:"existing"` // valid rows whose card was already there
	Rejected int           `json:"rejected"` // rows not valid
	Elapsed  time.Duration `json:"elapsed_ns"`
}

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
	n       int
	lines   []int
	fields  [][]string
	errs    []error // read errors per row (nil if the row parsed)
	cards   []sealedCard
	rejects []Reject
}

// Import reads a CSV file from r and imports its valid rows. It returns an
// error only when the file cannot be read as a whole (bad header, I/O) or
// the database fails; bad rows are counted and reported, not errors.
func (im *Importer) Import(ctx context.Context, r io.Reader) (Summary, error) {
	start := im.opts.Now()
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return Summary{}, fmt.Errorf("%w: %w", ErrHeader, err)
	}
	cols, err := columnMap(head)
	if err != nil {
		return Summary{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	raw := make(chan *chunk, im.opts.Workers)
	done := make(chan *chunk, im.opts.Workers)
	readErr := make(chan error, 1)
	go func() { readErr <- im.read(ctx, cr, cols, len(head), raw) }()
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
		"existing", sum.Existing, "rejected", sum.Rejected, "elapsed", sum.Elapsed, "err", err)
	return sum, err
}
