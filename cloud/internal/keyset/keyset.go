package keyset

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrCursor: a cursor that no list gave. Packages wrap it in their own
// error, which the console and the API answer as a bad page link.
var ErrCursor = errors.New("keyset: invalid page cursor")

// Cursor is the cursor of a row at at with key id.
func Cursor(at time.Time, id string) string {
	return strconv.FormatInt(at.UnixMicro(), 10) + "." + id
}

// Parse returns the microseconds and the id of cursor c.
func Parse(c string) (micros int64, id string, err error) {
	us, id, ok := strings.Cut(c, ".")
	n, perr := strconv.ParseInt(us, 10, 64)
	if !ok || perr != nil || id == "" {
		return 0, "", fmt.Errorf("%w: %q", ErrCursor, c)
	}
	return n, id, nil
}
