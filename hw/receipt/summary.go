package receipt

import (
	"encoding/json"
	"fmt"
	"strconv"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Summary is the riepilogo of the operations, generated from the CMS
// result (procedure 1 step 15, and the receipt of any other procedure).
type Summary struct {
	Header    Header
	Holder    Holder
	Procedure wire.Type
	Outcome   outcome.Code
	Message   string // the CMS's Italian message; the code's own if empty
	Result    wire.OpResult
	Requester wire.Requester
	Reader    *wire.Payment  // a reader was bought
	FSE       *wire.Consents // FSE consents given
	Delivery  *wire.Delivery // where the second halves go, if any
	Halves    *Halves        // first halves, on the summary handed back (step 16)
}

// SummaryFromAck fills a Summary's outcome and result from the CMS's ack.
func SummaryFromAck(s Summary, a wire.Ack) (Summary, error) {
	s.Outcome, s.Message = outcome.Code(a.Outcome), a.Message
	if len(a.Result) > 0 {
		if err := json.Unmarshal(a.Result, &s.Result); err != nil {
			return s, fmt.Errorf("receipt: ack result: %w", err)
		}
	}
	return s, nil
}

var procedures = map[wire.Type]string{
	wire.OpActivation: "Attivazione della carta", wire.OpFSEConsent: "Consensi FSE",
	wire.OpSuspension: "Sospensione", wire.OpReactivation: "Riattivazione",
	wire.OpReissue: "Riemissione della carta", wire.OpPinReprint: "Ristampa PIN/PUK",
	wire.OpRevocation: "Revoca della carta", wire.OpReaderRequest: "Richiesta lettore",
	wire.OpRegistryDataWrong: "Dati anagrafici errati",
}

var cardStates = map[string]string{
	"active": "attiva", "issued": "emessa, non attiva", "revoked": "revocata",
	"expired": "scaduta", "replaced": "sostituita",
}

// Render lays out the summary.
func (s Summary) Render(p Paper) ([]byte, error) {
	if err := need(s.Header, "procedure", string(s.Procedure), "outcome", string(s.Outcome)); err != nil {
		return nil, err
	}
	if s.Halves != nil {
		if err := s.Halves.validate(); err != nil {
			return nil, err
		}
	}
	d, err := newDoc(p)
	if err != nil {
		return nil, err
	}
	d.header(s.Header, "Riepilogo operazioni")
	d.field("Operazione", lookup(procedures, s.Procedure))
	d.holder(s.Holder, true)
	if s.Requester.Role != "" {
		d.field("Richiedente", requester(s.Requester))
	}
	d.rule()
	d.operations(s)
	d.rule()
	d.field("Esito", s.message())
	if s.Halves != nil && s.Outcome == outcome.Applied {
		d.rule()
		when := "come scelto"
		if s.Delivery != nil {
			when = deliveryWhen(*s.Delivery)
		}
		d.halves(*s.Halves, when)
	}
	return d.footer(s.Header)
}

func (d *doc) operations(s Summary) {
	ok := s.Outcome == outcome.Applied || s.Outcome == outcome.Duplicate
	d.check(ok, lookup(procedures, s.Procedure))
	if s.Reader != nil {
		d.check(ok, "Lettore smart card pagato "+euro(s.Reader.AmountCents)+paymentRef(s.Reader))
	}
	if s.FSE != nil {
		d.check(ok, "Consensi FSE ("+s.FSE.Policy+"): "+strconv.Itoa(len(s.FSE.Given))+" rilasciati")
	}
	if s.Delivery != nil {
		d.check(ok, "Seconda parte di PIN e PUK via "+deliveryText(*s.Delivery))
	}
	if s.Result.CardState != "" {
		d.field("Stato della carta", lookup(cardStates, s.Result.CardState))
	}
	if s.Result.ReaderCount > 0 {
		d.field("Lettori associati", strconv.Itoa(s.Result.ReaderCount))
	}
	if s.Result.FSERequestID != "" {
		d.field("Richiesta FSE", s.Result.FSERequestID)
	}
	if s.Result.CaseID != "" {
		d.field("Pratica", s.Result.CaseID)
	}
}

func (s Summary) message() string {
	if s.Message != "" {
		return s.Message
	}
	return s.Outcome.Message()
}

func paymentRef(p *wire.Payment) string {
	if p.Ref == "" {
		return ""
	}
	return " (rif. " + p.Ref + ")"
}

func lookup[K ~string](m map[K]string, k K) string {
	if v, ok := m[k]; ok {
		return v
	}
	return string(k)
}
