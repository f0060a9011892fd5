package pcsc

import "fmt"

// EventKind says what happened in a reader.
type EventKind int

// Event kinds.
const (
	Inserted EventKind = iota + 1
	Removed
	ReaderGone // the reader was unplugged or pcscd went away
	ReaderBack // the reader (or pcscd) is there again
)

func (k EventKind) String() string {
	switch k {
	case Inserted:
		return "inserted"
	case Removed:
		return "removed"
	case ReaderGone:
		return "reader gone"
	case ReaderBack:
		return "reader back"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is a card inserted in or removed from a reader.
type Event struct {
	Reader string
	Kind   EventKind
	ATR    []byte // for Inserted
}
