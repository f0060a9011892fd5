package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/progress"
)

func init() {
	register(Command{Name: "cards import", Args: "[flags] FILE.csv", Run: cardsImport,
		Summary: "import issued cards (CSV) with PIN/PUK sealed; bad rows are reported and skipped; exit 1 if any"})
	register(Command{Name: "cards show", Args: "CF|TEAM", Run: cardsShow,
		Summary: "show the cards of a codice fiscale or a Codice TEAM as JSON lines (never the secrets)"})
}

func cardsImport(ctx context.Context, e *Env, args []string) error {
	c := commands["cards import"]
	fs := e.Flags(c)
	rejectsPath := fs.String("rejects", "", "write rejected rows (line,reason CSV) to this file instead of stderr")
	batch := fs.Int("batch", 1000, "rows per transaction")
	workers := fs.Int("workers", 0, "validating and sealing goroutines (0: one per CPU)")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "give one CSV file ('-' for stdin)")
	}
	in, size, closeIn, err := openInput(fs.Arg(0), e.Stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	v, err := e.Vault()
	if err != nil {
		return err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	rej, err := newRejectSink(*rejectsPath, e.Stderr)
	if err != nil {
		return err
	}
	counter := &progress.Counter{R: in}
	opts := cardimport.Options{BatchSize: *batch, Workers: *workers, Rejected: rej.add}
	bar := progressBar(e.Stderr, size)
	if bar != nil {
		rej.clearLine = "\r\x1b[K" // a reject line replaces the bar, which is redrawn below it
		opts.Progress = func(s cardimport.Summary) { bar.Update(counter.N(), s.Rows, s.Rejected) }
	}
	sum, err := cardimport.New(db, v, opts, e.Log).Import(ctx, counter)
	if bar != nil {
		bar.Done(counter.N(), sum.Rows, sum.Rejected)
	}
	if cerr := rej.close(); err == nil {
		err = cerr
	}
	if errors.Is(err, cardimport.ErrHeader) {
		return err // nothing was read past the header: no summary, nothing to continue
	}
	printSummary(e.Stdout, sum)
	if err != nil {
		return fmt.Errorf("import stopped after line %d (rows up to it are committed; importing the same file again continues): %w",
			sum.LastLine, err)
	}
	if sum.Rejected > 0 {
		return errProblems
	}
	return nil
}

// progressBar returns a bar if w is a terminal, else nil.
func progressBar(w io.Writer, size int64) *progress.Bar {
	f, ok := w.(*os.File)
	if !ok || !progress.IsTerminal(f) {
		return nil
	}
	return progress.New(w, size, nil)
}

func printSummary(w io.Writer, s cardimport.Summary) {
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Rows) / s.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "rows %d: imported %d, already present %d, rejected %d (conflicting %d, unreadable %d) in %s (%.0f rows/s)\n",
		s.Rows, s.Imported, s.Existing, s.Rejected, s.Conflicts, s.Unreadable, s.Elapsed.Round(time.Millisecond), rate)
	if s.Incomplete() {
		fmt.Fprintf(w, "import incomplete: %d lines could not be read as CSV; fix them and import the file again\n", s.Unreadable)
	}
}

func openInput(path string, stdin io.Reader) (io.Reader, int64, func() error, error) {
	if path == "-" {
		return stdin, 0, func() error { return nil }, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return f, size, f.Close, nil
}

// rejectSink writes rejected rows: "line N: reason" to stderr, or a CSV
// file (line,reason) with -rejects.
type rejectSink struct {
	w         io.Writer
	csv       *csv.Writer
	close     func() error
	clearLine string // written before a line on stderr to erase the progress bar
}

func newRejectSink(path string, stderr io.Writer) (*rejectSink, error) {
	w, closeFn, err := openOutput(path, stderr)
	if err != nil {
		return nil, err
	}
	s := &rejectSink{w: w}
	if path == "" || path == "-" {
		s.close = closeFn
		return s, nil
	}
	s.csv = csv.NewWriter(w)
	s.csv.Write([]string{"line", "reason"})
	s.close = func() error {
		s.csv.Flush()
		return errors.Join(s.csv.Error(), closeFn())
	}
	return s, nil
}

func (s *rejectSink) add(r cardimport.Reject) {
	if s.csv != nil {
		s.csv.Write([]string{strconv.Itoa(r.Line), r.Reason})
		return
	}
	fmt.Fprintf(s.w, "%sline %d: %s\n", s.clearLine, r.Line, r.Reason)
}

type cardView struct {
	TEAM        string `json:"team"`
	CF          string `json:"cf"`
	Expiry      string `json:"expiry"`
	Surname     string `json:"surname"`
	Name        string `json:"name"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"`
	BirthPlace  string `json:"birth_place"`
	State       string `json:"state"`
	ReaderCount int    `json:"reader_count"`
	HasSecrets  bool   `json:"has_secrets"`
}

func cardsShow(ctx context.Context, e *Env, args []string) error {
	c := commands["cards show"]
	fs := e.Flags(c)
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "give one codice fiscale or Codice TEAM")
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	key := strings.ToUpper(strings.ReplaceAll(fs.Arg(0), " ", ""))
	col := "c.cf"
	if len(key) == 20 && strings.Trim(key, "0123456789") == "" {
		col = "c.team"
	}
	cards, err := queryCards(ctx, db.SQL(), col, key)
	if err != nil {
		return err
	}
	if len(cards) == 0 {
		fmt.Fprintf(e.Stderr, "cmsctl: no card with %s %s\n", strings.TrimPrefix(col, "c."), key)
		return errProblems
	}
	for _, v := range cards {
		if err := printJSON(e.Stdout, v); err != nil {
			return err
		}
	}
	return nil
}

func queryCards(ctx context.Context, db *sql.DB, col, key string) ([]cardView, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.team, c.cf, c.expiry, c.surname, c.name, c.birth_date, c.sex,
		c.birth_place, c.state, c.reader_count, s.team IS NOT NULL
		FROM cards c LEFT JOIN card_secrets s ON s.team = c.team WHERE `+col+` = $1 ORDER BY c.expiry, c.team`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cardView
	for rows.Next() {
		var v cardView
		if err := rows.Scan(&v.TEAM, &v.CF, &v.Expiry, &v.Surname, &v.Name, &v.BirthDate, &v.Sex,
			&v.BirthPlace, &v.State, &v.ReaderCount, &v.HasSecrets); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
