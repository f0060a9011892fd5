package cardimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// maxField caps any field, so one huge cell cannot blow up memory or a
// reason text.
const maxField = 256

// read cuts the file into chunks of BatchSize lines and sends them on out,
// which it closes at the end. A line that is not valid CSV is a reject and
// reading goes on at the next line. It returns a read error (after sending
// the rows read before it), or nil at EOF.
func (im *Importer) read(ctx context.Context, lr *lineReader, cols []int, width int, out chan<- *chunk) error {
	defer close(out)
	c := &chunk{}
	var err error
	for {
		text, line, tooLong, rerr := lr.next()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = fmt.Errorf("%w: line %d: %w", ErrRead, line, rerr)
			break
		}
		switch {
		case tooLong:
			c.add(line, nil, fmt.Errorf("%w: more than %d bytes; line skipped", ErrLineTooLong, maxLine))
		case len(text) == 0:
			continue // a blank line, as encoding/csv skips it
		default:
			c.addLine(line, text, cols, width)
		}
		if len(c.lines) == im.opts.BatchSize {
			if !send(ctx, out, c) {
				return nil
			}
			c = &chunk{n: c.n + 1}
		}
	}
	if len(c.lines) > 0 {
		send(ctx, out, c)
	}
	return err
}

// addLine parses one non-blank line into c.
func (c *chunk) addLine(line int, text []byte, cols []int, width int) {
	rec, err := splitLine(string(text))
	switch {
	case err != nil:
		c.add(line, nil, fmt.Errorf("%w: %w; line skipped", ErrSyntax, err))
	case len(rec) != width:
		c.add(line, nil, fmt.Errorf("%w: %d, want %d", ErrFields, len(rec), width))
	default:
		c.add(line, reorder(rec, cols), nil)
	}
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
		if errors.Is(err, ErrSyntax) || errors.Is(err, ErrLineTooLong) {
			c.unreadable++
		}
		if err != nil {
			c.rejects = append(c.rejects, Reject{Line: c.lines[i], Reason: redact(err.Error(), rec)})
			continue
		}
		card.Line = c.lines[i]
		c.cards = append(c.cards, card)
	}
	c.fields, c.errs = nil, nil
}
