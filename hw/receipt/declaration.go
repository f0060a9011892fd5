package receipt

import (
	"fmt"
	"time"

	"cnskiosk.dev/shared/wire"
)

// Citizen is the parent, tutor or curator who signs the declaration.
type Citizen struct {
	Surname, Name string
	CF            string
	BirthDate     wire.Date
	BirthPlace    string
	Address       string // residence, optional
}

// Declaration is the dichiarazione sostitutiva di certificazione e
// dell'atto di notorietà (D.P.R. 445/2000, artt. 46 e 47) by which the
// citizen declares parental authority, guardianship or curatorship over
// the holder (procedure 2, step 8). It is pre-filled, signed by the
// citizen and kept by the operator.
type Declaration struct {
	Header   Header
	Role     wire.Role // RoleParent, RoleTutor or RoleCurator
	Citizen  Citizen
	Document wire.Document
	Holder   Holder
	Place    string // comune where it is signed
}

var declares = map[wire.Role]string{
	wire.RoleParent:  "di esercitare la responsabilità genitoriale (potestà parentale) sul/sulla minore",
	wire.RoleTutor:   "di essere tutore, nominato/a dall'autorità giudiziaria, di",
	wire.RoleCurator: "di essere curatore, nominato/a dall'autorità giudiziaria, di",
}

// Render lays out the declaration.
func (dc Declaration) Render(p Paper) ([]byte, error) {
	c, h := dc.Citizen, dc.Holder
	if err := need(dc.Header, "citizen surname", c.Surname, "citizen cf", c.CF,
		"holder surname", h.Surname, "holder cf", h.CF, "team", h.TEAM); err != nil {
		return nil, err
	}
	what, ok := declares[dc.Role]
	if !ok {
		return nil, fmt.Errorf("%w: role %q is not parent, tutor or curator", ErrMissing, dc.Role)
	}
	if err := dc.checkMinor(); err != nil {
		return nil, err
	}
	d, err := newDoc(p)
	if err != nil {
		return nil, err
	}
	d.header(dc.Header, "Dichiarazione sostitutiva")
	d.center("di certificazione e dell'atto di notorietà (artt. 46 e 47 D.P.R. 28 dicembre 2000, n. 445)")
	d.rule()
	d.para("Il/La sottoscritto/a " + join(c.Surname, c.Name) + ", codice fiscale " + c.CF + born(c.BirthDate, c.BirthPlace) +
		residence(c.Address) + ", identificato/a con " + document(dc.Document, false) + ",")
	d.para("consapevole delle sanzioni penali previste dall'art. 76 del D.P.R. 445/2000 per le dichiarazioni mendaci, la formazione o l'uso di atti falsi, e della decadenza dai benefici prevista dall'art. 75,")
	d.center("DICHIARA")
	d.para(what + " " + join(h.Surname, h.Name) + ", codice fiscale " + h.CF + born(h.BirthDate, h.BirthPlace) +
		", titolare della TS-CNS con codice TEAM " + h.TEAM + " e scadenza " + date(h.Expiry) + ",")
	d.para("e di richiedere in tale qualità l'attivazione della carta e il rilascio dei relativi codici PIN e PUK.")
	d.para("Dichiara di essere informato/a, ai sensi del Regolamento (UE) 2016/679, che i dati raccolti sono trattati, anche con strumenti informatici, solo per il procedimento per il quale la dichiarazione è resa.")
	d.field("Luogo e data", join(dc.Place, date(wire.DateOf(dc.Header.At))))
	d.signature("Il/La dichiarante")
	d.signature("L'operatore " + dc.Header.Operator)
	d.center("Esente da imposta di bollo (art. 37 D.P.R. 445/2000).")
	return d.footer(dc.Header)
}

func born(d wire.Date, place string) string {
	if d.IsZero() {
		return ""
	}
	s := ", nato/a"
	if place != "" {
		s += " a " + place
	}
	return s + " il " + date(d)
}

func residence(a string) string {
	if a == "" {
		return ""
	}
	return ", residente in " + a
}

// checkMinor refuses a parent's declaration unless the holder is under 18
// on the day it is signed; a tutor or curator may act at any age.
func (dc Declaration) checkMinor() error {
	if dc.Role != wire.RoleParent {
		return nil
	}
	b := dc.Holder.BirthDate
	if b.IsZero() {
		return fmt.Errorf("%w: holder birth date (parental authority)", ErrMissing)
	}
	if age(b, dc.Header.At) >= 18 {
		return fmt.Errorf("%w: holder is %d", ErrNotMinor, age(b, dc.Header.At))
	}
	return nil
}

// age is the age in whole years on the calendar day of at.
func age(birth wire.Date, at time.Time) int {
	by, bm, bd := birth.Time().Date()
	y, m, d := at.Date()
	n := y - by
	if m < bm || (m == bm && d < bd) {
		n--
	}
	return n
}
