package receipt

import (
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/shared/wire"
)

// MaskTEAM keeps the last 5 characters of a Codice TEAM and stars the rest.
func MaskTEAM(team string) string { return maskKeep(team, 5) }

// MaskAddress hides most of an e-mail address or phone number:
// "m***@example.it", "********4567".
func MaskAddress(s string) string {
	if user, domain, ok := strings.Cut(s, "@"); ok {
		r := []rune(user)
		if len(r) == 0 {
			return "***@" + domain
		}
		return string(r[0]) + "***@" + domain
	}
	return maskKeep(s, 4)
}

// MaskDocument keeps the last 3 characters of a document number.
func MaskDocument(s string) string { return maskKeep(s, 3) }

func maskKeep(s string, keep int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= keep {
		return string(r)
	}
	return strings.Repeat("*", len(r)-keep) + string(r[len(r)-keep:])
}

func date(d wire.Date) string {
	if d.IsZero() {
		return "-"
	}
	return d.Time().Format("02/01/2006")
}

func dateTime(t time.Time) string { return t.Format("02/01/2006 15:04") }

func place(p string) string {
	if p == "" {
		return ""
	}
	return " a " + p
}

func join(a, b string) string {
	return strings.TrimSpace(strings.TrimSpace(a) + " " + strings.TrimSpace(b))
}

// euro formats cents as "4,20 €".
func euro(cents int) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d €", sign, cents/100, cents%100)
}

var roles = map[wire.Role]string{
	wire.RoleHolder:   "diretta (titolare)",
	wire.RoleDelegate: "su delega",
	wire.RoleParent:   "genitore (potestà parentale)",
	wire.RoleTutor:    "tutore",
	wire.RoleCurator:  "curatore",
}

func requester(r wire.Requester) string {
	s := roles[r.Role]
	if s == "" {
		s = string(r.Role)
	}
	if r.Person != nil {
		s += ": " + join(r.Person.Surname, r.Person.Name) + " (" + r.Person.CF + ")"
	}
	return s
}

var channels = map[wire.DeliveryChannel]string{wire.DeliveryEmail: "e-mail", wire.DeliverySMS: "SMS"}

var docKinds = map[string]string{
	"carta_identita": "carta d'identità", "passaporto": "passaporto",
	"patente": "patente di guida", "permesso_soggiorno": "permesso di soggiorno",
}

func document(d wire.Document, mask bool) string {
	kind := docKinds[d.Kind]
	if kind == "" {
		kind = d.Kind
	}
	n := d.Number
	if mask {
		n = MaskDocument(n)
	}
	s := kind + " n. " + n
	if d.Issuer != "" {
		s += ", rilasciato da " + d.Issuer
	}
	if !d.Expires.IsZero() {
		s += ", scad. " + date(d.Expires)
	}
	return s
}
