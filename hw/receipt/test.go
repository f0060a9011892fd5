package receipt

import (
	"context"
	"fmt"
	"strings"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
)

// Test is a test page: character set, sizes, alignment, a ruler of the
// paper's columns and a QR code. hwdiag and installers print it.
type Test struct {
	Header  Header
	Printer string // how the printer is attached, e.g. "tcp://127.0.0.1:9100"
}

// Render lays out the test page.
func (t Test) Render(p Paper) ([]byte, error) {
	if err := need(t.Header); err != nil {
		return nil, err
	}
	d, err := newDoc(p)
	if err != nil {
		return nil, err
	}
	d.header(t.Header, "Pagina di prova")
	d.field("Stampante", t.Printer)
	d.field("Carta", fmt.Sprintf("%d colonne", d.cols))
	d.e.Line(ruler(d.cols))
	d.para("àèéìòù ÀÈÉÌÒÙ ç € 4,20")
	d.e.Bold(true).Line("Grassetto").Bold(false)
	d.e.Underline(1).Line("Sottolineato").Underline(0)
	d.e.Align(escpos.Center).Line("Centrato").Align(escpos.Right).Line("A destra").Align(escpos.Left)
	d.big("Doppia")
	d.para("Se questa pagina è leggibile e tagliata, la stampante funziona.")
	return d.footer(t.Header)
}

func ruler(cols int) string {
	var b strings.Builder
	for i := 1; i <= cols; i++ {
		b.WriteByte("1234567890"[(i-1)%10])
	}
	return b.String()
}

// padRow is a label and an amount on one row.
func padRow(label, amount string, cols int) []string { return escpos.Pad(label, amount, cols) }

// Printer prints one whole receipt; *printer.Printer satisfies it.
type Printer interface {
	Print(ctx context.Context, data []byte) (printer.Status, error)
}

// PrintTest renders the test page for paper and prints it on p. The
// error, if any, is a printer error: printer.Message explains it.
func PrintTest(ctx context.Context, p Printer, t Test, paper Paper) (printer.Status, error) {
	data, err := t.Render(paper)
	if err != nil {
		return printer.Status{}, err
	}
	return p.Print(ctx, data)
}
