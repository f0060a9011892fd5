package cms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// examplesDir holds the wire protocol's documented examples.
const examplesDir = "../../../shared/wire/testdata/examples"

// exampleCards are the cards the examples name: team, cf, expiry, birth, sex.
var exampleCards = [][5]string{
	{"80380000900090510553", "RSSMRC81C12D612L", "2029-03-31", "1981-03-12", "M"},
	{"80380000900123456782", "RSSGLI12E60G999B", "2028-05-20", "2012-05-20", "F"},
	{"80380000900077002319", "SPSNNA58S42F839G", "2027-11-30", "1958-11-02", "F"},
	{"80380000900314159260", "CNTGNN90H15G702V", "2030-06-30", "1990-06-15", "M"},
	{"80380000900271828188", "FRRLNE69D49E715I", "2028-09-30", "1969-04-09", "F"},
}

// TestDocumentedExamples applies every op.* example of the wire protocol
// to a database seeded as the examples assume (cards, operator, counter
// with the reissue capability, device at that counter, session) and
// checks each gets the outcome it documents. Each starts from its card's
// state as named here, so that the reissue does not spoil the revocation.
func TestDocumentedExamples(t *testing.T) {
	cases := []struct {
		file  string
		state rules.State // state of the example's card before it
		want  outcome.Code
	}{
		{"op.activation.json", rules.NotActive, outcome.Applied},
		{"op.fse_consent.json", rules.Active, outcome.Applied},
		{"op.suspension.json", rules.Active, outcome.SuspensionNotAllowed},
		{"op.reactivation.json", rules.Active, outcome.ReactivationNotAllowed},
		{"op.reissue.json", rules.Active, outcome.Applied},
		{"op.pin_reprint.json", rules.Active, outcome.Applied},
		{"op.revocation.json", rules.Active, outcome.Applied},
		{"op.reader_request.json", rules.Active, outcome.Applied},
		{"op.registry_data_wrong.json", rules.Active, outcome.RegistryDataWrong},
		{"op.abandoned.json", rules.NotActive, outcome.Abandoned},
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "op.*.json"))
	must(t, err)
	if len(files) != len(cases) {
		t.Fatalf("%d op examples in %s, %d cases: add the new one here", len(files), examplesDir, len(cases))
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, eng := seedExamples(t, d)
			for _, tc := range cases {
				raw, err := os.ReadFile(filepath.Join(examplesDir, tc.file))
				must(t, err)
				en, err := wire.Decode("kiosk-fi-careggi-01", raw)
				must(t, err)
				op, _ := decodeOp(en)
				_, err = db.SQL().ExecContext(context.Background(), `UPDATE cards SET state = $1 WHERE team = $2`, string(tc.state), op)
				must(t, err)
				ack, err := eng.Apply(context.Background(), en)
				must(t, err)
				if ack.Status != wire.StatusApplied || outcome.Code(ack.Outcome) != tc.want {
					t.Errorf("%s: %s %s, want applied %s", tc.file, ack.Status, ack.Outcome, tc.want)
				}
				checkPerson(t, eng, tc.file, en.ID)
			}
		})
	}
}

// decodeOp returns the TEAM an example names.
func decodeOp(en wire.Envelope) (string, error) {
	var b struct {
		Card struct{ TEAM string } `json:"card"`
		TEAM string                `json:"team"`
	}
	if err := json.Unmarshal(en.Body, &b); err != nil {
		return "", err
	}
	if b.TEAM != "" {
		return b.TEAM, nil
	}
	return b.Card.TEAM, nil
}

func seedExamples(t *testing.T, d store.Dialect) (*store.DB, *cms.Engine) {
	ctx := context.Background()
	db := storetest.Open(t, d)
	clock := func() time.Time { return time.Date(2026, 1, 19, 11, 0, 0, 0, time.UTC) }
	for _, c := range exampleCards {
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO cards (team, cf, expiry, surname, name, birth_date, sex, birth_place, state, updated_at)
			VALUES ($1, $2, $3, 'ROSSI', 'MARCO', $4, $5, 'FIRENZE', 'active', 1)`, c[0], c[1], c[2], c[3], c[4])
		must(t, err)
	}
	reg := operator.NewRegistry(db, clock)
	must(t, reg.Upsert(ctx, operator.Operator{CF: "BNCLRA75M41D612B", Name: "Laura Bianchi", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{"careggi-cup-03"}}))
	must(t, reg.UpsertCounter(ctx, rules.Counter{ID: "careggi-cup-03", Capabilities: []rules.Capability{rules.CapReissue}}))
	registerDevice(t, db, "kiosk-fi-careggi-01", "careggi-cup-03")
	_, err := reg.CreateSession(ctx, operator.Session{ID: "ops_01KFARGQVR9RFMMKD07RCV8CMP", OperatorCF: "BNCLRA75M41D612B",
		Device: "kiosk-fi-careggi-01", IssuedAt: time.Date(2026, 1, 19, 8, 0, 0, 0, time.UTC)})
	must(t, err)
	p := rules.DefaultPolicy()
	p.AcceptedConsentVersions = []string{rules.ConsentsFSE2015, rules.ConsentsFSE2020} // the fse_consent example is fse-2020
	return db, cms.New(db, nil, cms.Options{RequireSession: true, Now: clock, Policy: p}, storetest.Logger(t))
}

// examplePersons is who each example records as present: role, CF, document.
var examplePersons = map[string]string{
	"op.activation.json":     "holder  carta_identita CA12345AB 2032-03-12",
	"op.fse_consent.json":    "parent RSSMRC81C12D612L   ",
	"op.reissue.json":        "holder  patente FI5123456X 2029-06-15",
	"op.pin_reprint.json":    "delegate CNTGNN90H15G702V passaporto YA1234567 2030-08-31",
	"op.revocation.json":     "holder  patente FI5123456X 2029-06-15",
	"op.reader_request.json": "holder    ",
}

// checkPerson checks the person and document recorded with an example.
func checkPerson(t *testing.T, eng *cms.Engine, file, opID string) {
	t.Helper()
	o, err := eng.LookupOperation(context.Background(), opID)
	must(t, err)
	want, records := examplePersons[file]
	if !records {
		if o.Person != nil {
			t.Errorf("%s: person %+v recorded, want none", file, o.Person)
		}
		return
	}
	if o.Person == nil {
		t.Fatalf("%s: no person recorded", file)
	}
	p := o.Person
	exp := ""
	if !p.Document.Expires.IsZero() {
		exp = p.Document.Expires.String()
	}
	if got := fmt.Sprintf("%s %s %s %s %s", p.Role, p.CF, p.Document.Kind, p.Document.Number, exp); got != want {
		t.Errorf("%s: person %q, want %q", file, got, want)
	}
}
