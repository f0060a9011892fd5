package receipt

import (
	"time"

	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Fixtures: obviously fake people and codes. The halves are the unusual
// values "9173"/"4682" so that a search for them in logs finds only a leak
// (no date, ruler or code contains them). They appear in the golden
// transcripts and PNGs under testdata/ deliberately, as fixture data: those
// files are what a receipt with these halves must look like.

var (
	fakeAt     = time.Date(2025, 3, 14, 10, 30, 0, 0, time.UTC)
	fakeHeader = Header{Kiosk: "kiosk-po-001", Counter: "Prato - Ospedale S. Stefano", Operator: "Bianchi Laura",
		At: fakeAt, OpID: "01JPD9X4ZKQ8M6V3T2R1N0A9BC"}
	fakeHolder = Holder{Surname: "Rossi", Name: "Mario", CF: "RSSMRA70A01F205V", TEAM: "80380000900090510553",
		Expiry: wire.NewDate(2030, 6, 30), BirthDate: wire.NewDate(1970, 1, 1), BirthPlace: "Milano (MI)"}
	fakeMinor = Holder{Surname: "Rossi", Name: "Luca", CF: "RSSLCU15A01G999X", TEAM: "80380000900090510561",
		Expiry: wire.NewDate(2027, 6, 30), BirthDate: wire.NewDate(2015, 1, 1), BirthPlace: "Prato (PO)"}
	fakeDoc     = wire.Document{Kind: "carta_identita", Number: "AB0000000", Issuer: "Comune di Prato", Expires: wire.NewDate(2031, 1, 1)}
	fakeHalves  = NewHalves("9173", "4682")
	fakeEmail   = wire.Delivery{Channel: wire.DeliveryEmail, Address: "mario.rossi@example.it"}
	fakePayment = wire.Payment{Method: wire.PayCoin, AmountCents: 420, Ref: "PAY-0001"}
)

// layouts returns one of each layout, by name.
func layouts() map[string]Layout {
	parent := wire.Requester{Role: wire.RoleParent, Person: &wire.Person{Surname: "Rossi", Name: "Mario", CF: "RSSMRA70A01F205V"}}
	return map[string]Layout{
		"acceptance": Acceptance{Header: fakeHeader, Holder: fakeHolder, Requester: wire.Requester{Role: wire.RoleHolder},
			Document: fakeDoc, Delivery: fakeEmail, Halves: fakeHalves},
		"summary": Summary{Header: fakeHeader, Holder: fakeHolder, Procedure: wire.OpActivation, Outcome: outcome.Applied,
			Requester: wire.Requester{Role: wire.RoleHolder}, Reader: &fakePayment,
			FSE:      &wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregresso", "consultazione"}},
			Delivery: &fakeEmail, Halves: &fakeHalves,
			Result: wire.OpResult{CardState: "active", ReaderCount: 1, FSERequestID: "FSE-000042"}},
		"declaration": Declaration{Header: fakeHeader, Role: wire.RoleParent, Document: fakeDoc, Holder: fakeMinor, Place: "Prato",
			Citizen: Citizen{Surname: parent.Person.Surname, Name: parent.Person.Name, CF: parent.Person.CF,
				BirthDate: wire.NewDate(1970, 1, 1), BirthPlace: "Milano (MI)", Address: "Via Roma 1, Prato"}},
		"declaration-tutor": Declaration{Header: fakeHeader, Role: wire.RoleTutor, Document: fakeDoc, Holder: fakeHolder, Place: "Prato",
			Citizen: Citizen{Surname: "Bianchi", Name: "Anna", CF: "BNCNNA60A41G999Y", BirthDate: wire.NewDate(1960, 1, 1), BirthPlace: "Firenze (FI)"}},
		"declaration-curator": Declaration{Header: fakeHeader, Role: wire.RoleCurator, Document: fakeDoc, Holder: fakeHolder, Place: "Prato",
			Citizen: Citizen{Surname: "Verdi", Name: "Niccolò", CF: "VRDNCL65A01D612Z", BirthDate: wire.NewDate(1965, 1, 1), BirthPlace: "Firenze (FI)",
				Address: "Via dell'Università 3, Prato"}},
		"reader": ReaderForm{Header: fakeHeader, Holder: fakeHolder, Requester: wire.Requester{Role: wire.RoleHolder}, Payment: fakePayment},
		"test":   Test{Header: fakeHeader, Printer: "tcp://127.0.0.1:9100"},
	}
}
