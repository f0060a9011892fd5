package cardimport

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sync"
)

// maxField caps any field, so one huge cell cannot blow up memory or a
// reason text.
const maxField = 256

// read cuts the file into chunks of BatchSize rows and sends them on out,
// which it closes at the end. It returns an I/O error, or nil at EOF.
func (im *Importer) read(ctx context.Context, cr *csv.Reader, cols []int, width int, out chan<- *chunk) error {
	defer close(out)
	n := 0
	c := &chunk{n: n}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			c.add(pe.StartLine, nil, fmt.Errorf("%w: %v", ErrSyntax, pe.Err))
		case err != nil:
			return fmt.Errorf("%w: %w", ErrRead, err)
		case len(rec) != width:
			line, _ := cr.FieldPos(0)
			c.add(line, nil, fmt.Errorf("%w: %d, want %d", ErrFields, len(rec), width))
		default:
			line, _ := cr.FieldPos(0)
			c.add(line, reorder(rec, cols), nil)
		}
		if len(c.lines) == im.opts.BatchSize {
			if !send(ctx, out, c) {
				return nil
			}
			n++
			c = &chunk{n: n}
		}
	}
	if len(c.lines) > 0 {
		send(ctx, out, c)
	}
	return nil
}

func (c *chunk) add(line int, rec []string, err error) {
	c.lines = append(c.lines, line)
	c.fields = append(c.fields, rec)
	c.errs = append(c.errs, err)
}

func send(ctx context.Context, out chan<- *chunk, c *chunk) bool {
	select {
	case out <- c:
		return true
	case <-ctx.Done():
		return false
	}
}

// work runs Workers goroutines that validate and seal chunks from in, and
// closes out when they are all done.
func (im *Importer) work(ctx context.Context, in <-chan *chunk, out chan<- *chunk) {
	var wg sync.WaitGroup
	for range im.opts.Workers {
		wg.Go(func() {
			for c := range in {
				im.process(c)
				if !send(ctx, out, c) {
					for range in { // let the reader finish
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(out)
}

// process validates and seals the rows of c, filling c.cards and c.rejects.
func (im *Importer) process(c *chunk) {
	today := im.opts.Now()
	for i, rec := range c.fields {
		card, err := im.row(rec, c.errs[i], today)
		if err != nil {
			c.rejects = append(c.rejects, Reject{Line: c.lines[i], Reason: err.Error()})
			continue
		}
		c.cards = append(c.cards, card)
	}
	c.fields, c.errs = nil, nil
}
