package receipt

import "cnskiosk.dev/shared/wire"

// ReaderPriceCents is the price of a smart card reader.
const ReaderPriceCents = 420

// ReaderForm is the richiesta lettore form (procedure 9 step 7, or the
// reader bought during an activation): signed by the citizen and kept by
// the operator.
type ReaderForm struct {
	Header    Header
	Holder    Holder
	Requester wire.Requester
	Payment   wire.Payment
}

var payMethods = map[wire.PaymentMethod]string{
	wire.PayCoin:    "monete, alla postazione",
	wire.PayPOS:     "carta di pagamento (POS), alla postazione",
	wire.PayReceipt: "ricevuta di cassa automatica o sportello abilitato",
}

// Render lays out the reader request form.
func (r ReaderForm) Render(p Paper) ([]byte, error) {
	if err := need(r.Header, "surname", r.Holder.Surname, "cf", r.Holder.CF, "team", r.Holder.TEAM); err != nil {
		return nil, err
	}
	d, err := newDoc(p)
	if err != nil {
		return nil, err
	}
	d.header(r.Header, "Richiesta lettore smart card")
	d.holder(r.Holder, false)
	if r.Requester.Role != "" {
		d.field("Richiedente", requester(r.Requester))
	}
	d.rule()
	d.e.Bold(true)
	for _, l := range padRow("Lettore smart card", euro(ReaderPriceCents), d.cols) {
		d.e.Line(l)
	}
	d.e.Bold(false)
	d.field("Importo pagato", euro(r.Payment.AmountCents))
	d.field("Pagamento", lookup(payMethods, r.Payment.Method))
	d.field("Riferimento pagamento", r.Payment.Ref)
	d.rule()
	d.para("Il/La sottoscritto/a chiede il rilascio di un lettore di smart card per l'uso della propria TS-CNS e dichiara di averne pagato il corrispettivo.")
	d.signature("Firma del richiedente")
	d.signature("L'operatore " + r.Header.Operator)
	return d.footer(r.Header)
}
