package cms_test

import (
	"context"
	"testing"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// TestHostileText applies operations whose free text (names, document
// issuer, notes) carries SQL and HTML: they are data, stored as such, and
// change nothing else.
func TestHostileText(t *testing.T) {
	const sqlName = `O'Brien'); DROP TABLE cards; --`
	const sqlIssuer = `Comune'; DELETE FROM operations; --`
	const htmlNote = `<script>alert(1)</script><b>x</b>`
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			a, b := e.seed(rules.NotActive, false, false), e.seed(rules.NotActive, false, false)
			hostileDoc := doc
			hostileDoc.Issuer = sqlIssuer
			del := wire.Requester{Role: wire.RoleDelegate, Person: &wire.Person{Surname: sqlName, Name: htmlNote, CF: other.CF}}
			act := wire.Activation{Common: wire.Common{Operator: e.operator()}, Card: a.ref(), Requester: del,
				Document: hostileDoc, Delivery: email}
			wrong := wire.RegistryDataWrong{Common: wire.Common{Operator: e.operator()}, Card: b.ref(),
				Fields: []string{"surname"}, Note: sqlName + htmlNote}
			for _, op := range []struct {
				t    wire.Type
				body any
				want outcome.Code
			}{{wire.OpActivation, act, outcome.Applied}, {wire.OpRegistryDataWrong, wrong, outcome.RegistryDataWrong}} {
				ack, err := e.eng.Apply(context.Background(), e.envelope(op.t, op.body))
				if err != nil {
					t.Fatalf("%s: %v", op.t, err)
				}
				if got := outcome.Code(ack.Outcome); got != op.want {
					t.Fatalf("%s: outcome %s, want %s", op.t, got, op.want)
				}
			}
			if got := e.count("cards", "1 = 1"); got != 2 {
				t.Errorf("cards: %d rows, want 2", got)
			}
			if got := e.count("operations", "1 = 1"); got != 2 {
				t.Errorf("operations: %d rows, want 2", got)
			}
			if got := e.state(a.team); got != rules.Active {
				t.Errorf("card state %s, want active", got)
			}
			if got := e.count("registry_cases", "note = $1", sqlName+htmlNote); got != 1 {
				t.Errorf("registry case with the note verbatim: %d, want 1", got)
			}
			rep, err := audit.Verify(context.Background(), e.db.SQL(), e.db.Dialect())
			if err != nil || !rep.OK() {
				t.Fatalf("audit verify: %+v, %v", rep, err)
			}
		})
	}
}
