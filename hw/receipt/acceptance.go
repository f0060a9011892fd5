package receipt

import (
	"fmt"

	"cnskiosk.dev/shared/wire"
)

// Acceptance is the modulo di accettazione of an activation (procedure 1
// step 10, procedure 2 from step 10). It carries the first halves of PIN
// and PUK and goes home with the citizen.
type Acceptance struct {
	Header    Header
	Holder    Holder
	Requester wire.Requester
	Document  wire.Document
	Delivery  wire.Delivery
	Halves    Halves
}

// Render lays out the acceptance form.
func (a Acceptance) Render(p Paper) ([]byte, error) {
	if err := need(a.Header, "surname", a.Holder.Surname, "cf", a.Holder.CF, "team", a.Holder.TEAM); err != nil {
		return nil, err
	}
	if err := a.Halves.validate(); err != nil {
		return nil, err
	}
	d, err := newDoc(p)
	if err != nil {
		return nil, err
	}
	d.header(a.Header, "Modulo di accettazione")
	d.para("Attivazione della Tessera Sanitaria - Carta Nazionale dei Servizi (TS-CNS).")
	d.holder(a.Holder, true)
	d.field("Attivazione", requester(a.Requester))
	d.field("Documento", document(a.Document, true))
	d.field("Seconda parte via", deliveryText(a.Delivery))
	d.rule()
	d.halves(a.Halves, deliveryWhen(a.Delivery))
	d.rule()
	d.para("Il/La sottoscritto/a dichiara di aver letto l'informativa sul trattamento dei dati personali e di aver ricevuto la prima parte dei codici PIN e PUK.")
	d.signature("Firma del richiedente")
	return d.footer(a.Header)
}

func deliveryText(dl wire.Delivery) string {
	ch := channels[dl.Channel]
	if ch == "" {
		ch = string(dl.Channel)
	}
	return fmt.Sprintf("%s %s", ch, MaskAddress(dl.Address))
}

func deliveryWhen(dl wire.Delivery) string {
	s := "per " + deliveryText(dl)
	return s + " dopo la conferma dell'operatore"
}
