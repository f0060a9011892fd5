package receipt

import (
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/shared/wire"
)

// Paper is a paper width, in font A columns.
type Paper int

// Paper widths.
const (
	Paper58 Paper = escpos.Columns58
	Paper80 Paper = escpos.Columns80
)

// Layout is a receipt that renders to ESC/POS bytes.
type Layout interface {
	Render(p Paper) ([]byte, error)
}

// Header is common to every receipt.
type Header struct {
	Issuer   string    // e.g. "Regione Toscana - Servizio Sanitario"; a default if empty
	Kiosk    string    // device id
	Counter  string    // counter (sportello) name or id
	Operator string    // the supervising operator, as shown to the citizen
	At       time.Time // when, in the kiosk's local time
	OpID     string    // operation id (ULID), printed and encoded in the QR code
}

// Holder is the card holder as the CMS knows them.
type Holder struct {
	Surname, Name string
	CF            string
	TEAM          string
	Expiry        wire.Date
	BirthDate     wire.Date
	BirthPlace    string
}

// DefaultIssuer heads receipts whose Header.Issuer is empty.
const DefaultIssuer = "Servizio Sanitario Regionale"

// doc accumulates one receipt.
type doc struct {
	e    escpos.Encoder
	cols int
}

func newDoc(p Paper) (*doc, error) {
	if p != Paper58 && p != Paper80 {
		return nil, fmt.Errorf("%w: %d columns", ErrPaper, p)
	}
	d := &doc{cols: int(p)}
	d.e.Init()
	return d, nil
}

func (d *doc) lines(s string, cols int) {
	for _, l := range escpos.Wrap(s, cols) {
		d.e.Line(l)
	}
}

// title prints s centred, bold, double height.
func (d *doc) title(s string) {
	d.e.Align(escpos.Center).Bold(true).Size(1, 2)
	d.lines(s, d.cols)
	d.e.Size(1, 1).Bold(false).Align(escpos.Left)
}

// big prints s centred, bold, double width and height.
func (d *doc) big(s string) {
	d.e.Align(escpos.Center).Bold(true).Size(2, 2)
	d.lines(s, d.cols/2)
	d.e.Size(1, 1).Bold(false).Align(escpos.Left)
}

func (d *doc) center(s string) {
	d.e.Align(escpos.Center)
	d.lines(s, d.cols)
	d.e.Align(escpos.Left)
}

func (d *doc) heading(s string) {
	d.e.Bold(true).Underline(1)
	d.lines(s, d.cols)
	d.e.Underline(0).Bold(false)
}

func (d *doc) para(s string) { d.lines(s, d.cols) }

// field prints "label: value", the label bold, wrapped as one paragraph.
func (d *doc) field(label, value string) {
	if strings.TrimSpace(value) == "" {
		value = "-"
	}
	ls := escpos.Wrap(label+": "+value, d.cols)
	first, rest, _ := strings.Cut(ls[0], ":")
	d.e.Bold(true).Text(first + ":").Bold(false).Text(rest).LF()
	for _, l := range ls[1:] {
		d.e.Line(l)
	}
}

func (d *doc) rule() { d.e.Line(strings.Repeat("-", d.cols)) }

func (d *doc) check(on bool, label string) {
	box := "[ ] "
	if on {
		box = "[X] "
	}
	d.lines(box+label, d.cols)
}

func (d *doc) signature(label string) {
	d.e.Feed(3)
	d.e.Line(strings.Repeat("_", d.cols))
	d.center(label)
}

func (d *doc) header(h Header, title string) {
	issuer := h.Issuer
	if issuer == "" {
		issuer = DefaultIssuer
	}
	d.center(issuer)
	d.center("Tessera Sanitaria - Carta Nazionale dei Servizi")
	d.rule()
	d.title(title)
	d.rule()
	d.field("Data", dateTime(h.At))
	d.field("Sportello", join(h.Counter, h.Kiosk))
	if h.Operator != "" {
		d.field("Operatore", h.Operator)
	}
	d.rule()
}

// footer prints the operation id as text and QR code, feeds and cuts.
func (d *doc) footer(h Header) ([]byte, error) {
	d.rule()
	d.center("Codice operazione")
	d.center(h.OpID)
	d.e.Align(escpos.Center)
	module := 4
	if d.cols == int(Paper80) {
		module = 6
	}
	if err := d.e.QR([]byte(escpos.Sanitize(h.OpID)), module, escpos.QRLevelM); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	d.e.Align(escpos.Left).Feed(2).Cut(3)
	return d.e.Bytes(), nil
}

func (d *doc) holder(h Holder, maskTEAM bool) {
	team := h.TEAM
	if maskTEAM {
		team = MaskTEAM(team)
	}
	d.field("Titolare", join(h.Surname, h.Name))
	d.field("Codice fiscale", h.CF)
	if !h.BirthDate.IsZero() {
		d.field("Nato/a il", date(h.BirthDate)+place(h.BirthPlace))
	}
	d.field("Codice TEAM", team)
	d.field("Scadenza", date(h.Expiry))
}

func need(h Header, fields ...string) error {
	if h.OpID == "" || h.At.IsZero() {
		return fmt.Errorf("%w: header op id or time", ErrMissing)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return fmt.Errorf("%w: %s", ErrMissing, fields[i])
		}
	}
	return nil
}
