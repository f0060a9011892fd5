package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Interval is the minimum time between two redraws.
const Interval = 200 * time.Millisecond

// width is the number of cells of the bar.
const width = 24

// IsTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null) and TERM is not "dumb".
func IsTerminal(f *os.File) bool {
	return os.Getenv("TERM") != "dumb" && isTTY(f)
}

// Bar is a progress line. It is not safe for concurrent Update calls.
type Bar struct {
	w     io.Writer
	total int64 // bytes; 0 = unknown
	now   func() time.Time
	start time.Time
	last  time.Time
}

// New returns a bar writing to w for a job of total bytes. now is the
// clock (nil: time.Now).
func New(w io.Writer, total int64, now func() time.Time) *Bar {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &Bar{w: w, total: total, now: now, start: t}
}

// Update redraws the line if Interval passed since the last redraw.
func (b *Bar) Update(bytes int64, rows, rejected int) {
	t := b.now()
	if !b.last.IsZero() && t.Sub(b.last) < Interval {
		return
	}
	b.last = t
	fmt.Fprint(b.w, "\r"+b.Line(bytes, rows, rejected, t))
}

// Done draws the final line and ends it.
func (b *Bar) Done(bytes int64, rows, rejected int) {
	fmt.Fprintln(b.w, "\r"+b.Line(bytes, rows, rejected, b.now()))
}

// Line formats the progress line at time t.
func (b *Bar) Line(bytes int64, rows, rejected int, t time.Time) string {
	frac := 0.0
	if b.total > 0 {
		frac = min(1, float64(bytes)/float64(b.total))
	}
	full := int(frac * width)
	rate := 0.0
	if secs := t.Sub(b.start).Seconds(); secs > 0 {
		rate = float64(rows) / secs
	}
	return fmt.Sprintf("[%s%s] %5.1f%% %d rows %.0f rows/s %d rejected",
		strings.Repeat("#", full), strings.Repeat(".", width-full), frac*100, rows, rate, rejected)
}

// Counter is an io.Reader that counts the bytes read through it.
type Counter struct {
	R io.Reader
	n atomic.Int64
}

// Read reads from R.
func (c *Counter) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// N returns the bytes read so far.
func (c *Counter) N() int64 { return c.n.Load() }
