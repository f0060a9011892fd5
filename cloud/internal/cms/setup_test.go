package cms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/cf"
	"cnskiosk.dev/shared/team"
	"cnskiosk.dev/shared/wire"
)

var (
	now       = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	opCF      = "MRNLCU00A01H501J"
	dev       = "kiosk-01"
	reissueAt = "asl-firenze-1" // a counter with the reissue capability
	devDesk   = "kiosk-desk-01" // a device registered at counter reissueAt
	validExp  = wire.NewDate(2030, 1, 31)
	pastExp   = wire.NewDate(2026, 3, 1)
	secrets   = vault.Secrets{PIN: "12345678", PUK: "87654321"}
)

// env is one engine over a fresh database, with an operator session on dev.
type env struct {
	t       testing.TB
	db      *store.DB
	eng     *cms.Engine
	v       *vault.Vault
	session string
	desk    string // operator session on devDesk
	seq     atomic.Uint64
	serial  atomic.Int64
}

func newEnv(t testing.TB, d store.Dialect) *env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, d)
	keyFile := filepath.Join(t.TempDir(), "vault.key")
	if err := vault.Generate(keyFile); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	reg := operator.NewRegistry(db, clock)
	must(t, reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Luca Marini", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{operator.All}}))
	must(t, reg.UpsertCounter(ctx, rules.Counter{ID: reissueAt, Capabilities: []rules.Capability{rules.CapReissue}}))
	s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: opCF, Device: dev, IssuedAt: now.Add(-time.Hour)})
	must(t, err)
	registerDevice(t, db, devDesk, reissueAt)
	desk, err := reg.CreateSession(ctx, operator.Session{OperatorCF: opCF, Device: devDesk, IssuedAt: now.Add(-time.Hour)})
	must(t, err)
	eng := cms.New(db, v, cms.Options{RequireSession: true, Now: clock}, storetest.Logger(t))
	return &env{t: t, db: db, eng: eng, v: v, session: s.ID, desk: desk.ID}
}

// registerDevice adds device id to the fleet registry at counter.
func registerDevice(t testing.TB, db *store.DB, id, counter string) {
	t.Helper()
	_, err := db.SQL().ExecContext(context.Background(),
		`INSERT INTO devices (id, counter, created_at) VALUES ($1, $2, 1)`, id, counter)
	must(t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is one seeded card.
type fixture struct {
	team, cf string
	exp      wire.Date
}

func (f fixture) ref() wire.CardRef { return wire.CardRef{CF: f.cf, TEAM: f.team, Expiry: f.exp} }

// newCF returns a valid codice fiscale unique in this env.
func (e *env) newCF(n int64, birth string) string {
	const letters = "BCDFGHJKLMNPQRSTVZ"
	sur := string([]byte{letters[n%18], letters[n/18%18], letters[n/324%18]})
	return completeCF(sur + "MRA" + birth + "H501")
}

// seed inserts a card in state s with sealed secrets.
func (e *env) seed(s rules.State, minor, expired bool) fixture {
	e.t.Helper()
	n := e.serial.Add(1)
	f := fixture{team: completeTEAM(fmt.Sprintf("803800009%010d", n)), cf: e.newCF(n, "70A01"), exp: validExp}
	birth := "1970-01-01"
	if minor {
		f.cf, birth = e.newCF(n, "15D50"), "2015-04-10"
	}
	if expired {
		f.exp = pastExp
	}
	e.insertCard(f, s, birth)
	return f
}

func (e *env) insertCard(f fixture, s rules.State, birth string) {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.db.SQL().ExecContext(ctx, `INSERT INTO cards (team, cf, expiry, surname, name, birth_date, sex, birth_place, state, updated_at)
		VALUES ($1, $2, $3, 'ROSSI', 'MARIA', $4, 'F', 'ROMA', $5, 1)`, f.team, f.cf, f.exp.String(), birth, string(s))
	must(e.t, err)
	sealed, err := e.v.Seal(f.team, secrets)
	must(e.t, err)
	_, err = e.db.SQL().ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES ($1, $2, $3, $4)`,
		f.team, sealed.KeyID, sealed.Nonce, sealed.Ciphertext)
	must(e.t, err)
}

func (e *env) operator() wire.Operator { return wire.Operator{CF: opCF, Session: e.session} }

// envelope builds a valid operation envelope from dev.
func (e *env) envelope(t wire.Type, body any) wire.Envelope {
	e.t.Helper()
	d := dev
	if b, err := json.Marshal(body); err == nil {
		var c struct{ Counter string }
		if json.Unmarshal(b, &c) == nil && c.Counter == reissueAt {
			d = devDesk // sent from the device at that counter
		}
	}
	en, err := wire.New(d, e.seq.Add(1), t, now.Add(-time.Minute), body)
	must(e.t, err)
	return en
}

func (e *env) state(team string) rules.State {
	e.t.Helper()
	var s string
	must(e.t, e.db.SQL().QueryRowContext(context.Background(), `SELECT state FROM cards WHERE team = $1`, team).Scan(&s))
	return rules.State(s)
}

func (e *env) count(table, where string, args ...any) int {
	e.t.Helper()
	var n int
	must(e.t, e.db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM `+table+` WHERE `+where, args...).Scan(&n))
	return n
}

// completeCF appends the check character to the first 15 characters.
func completeCF(first15 string) string { return first15 + string(cf.CheckChar(first15)) }

// completeTEAM appends the Luhn check digit to the first 19 digits.
func completeTEAM(first19 string) string { return first19 + string(team.Luhn(first19)) }
