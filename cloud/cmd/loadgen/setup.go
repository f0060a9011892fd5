package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/wire"
	"github.com/oklog/ulid/v2"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx" for the scratch database
)

// loadOperator is the operator every simulated kiosk works under.
const loadOperator = "MRNLCU00A01H501J"

// fixture is what a run prepares before cmsd starts.
type fixture struct {
	dir, dsn, caDir string
	ca              *pki.CA
	cards           []demodata.Citizen
	devices         []device // sending kiosks first, then idle ones
	dropDB          func()
}

// device is one provisioned kiosk with its operator session.
type device struct {
	id      string
	cert    pki.Issued
	session string
}

// prepare creates the database, the vault, the cards, the operator, the
// devices (one certificate each) and their operator sessions.
func prepare(ctx context.Context, c config, log *slog.Logger) (*fixture, error) {
	f := &fixture{dir: c.dir, dsn: c.db, caDir: filepath.Join(c.dir, "cmsd", "pki"), dropDB: func() {}}
	if err := os.MkdirAll(filepath.Join(c.dir, "cmsd"), 0o700); err != nil {
		return nil, err
	}
	if err := f.database(ctx, c); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, f.dsn, log)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	keyFile := filepath.Join(c.dir, "cmsd", "vault.key")
	if err := vault.Generate(keyFile); err != nil {
		return nil, err
	}
	v, err := vault.Load(keyFile)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if f.cards, err = importCards(ctx, db, v, c.kiosks*c.ops, log); err != nil {
		return nil, err
	}
	log.Info("cards imported", "n", len(f.cards), "took", time.Since(t0).Round(time.Millisecond))
	if f.ca, _, err = pki.LoadOrCreateCA(f.caDir, "CNS kiosk fleet CA", time.Now()); err != nil {
		return nil, err
	}
	t0 = time.Now()
	if err := f.provision(ctx, db, c, log); err != nil {
		return nil, err
	}
	log.Info("devices provisioned", "n", len(f.devices), "took", time.Since(t0).Round(time.Millisecond))
	return f, nil
}

// database picks the DSN: SQLite in the scratch dir, the given URL, or
// (-db postgres) a fresh PostgreSQL database dropped at the end.
func (f *fixture) database(ctx context.Context, c config) error {
	switch c.db {
	case "":
		f.dsn = filepath.Join(c.dir, "cmsd", "cms.db")
		return nil
	case "postgres":
	default:
		return nil
	}
	if c.pgAdmin == "" {
		return fmt.Errorf("-db postgres needs -pg or CNS_TEST_PG_URL")
	}
	admin, err := sql.Open("pgx", c.pgAdmin)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("cnsload_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(c.pgAdmin)
	if err != nil {
		admin.Close()
		return err
	}
	u.Path = "/" + name
	f.dsn = u.String()
	f.dropDB = func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}
	return nil
}

// importCards imports n adult demo cards through the normal importer and
// returns them (the generator is deterministic for a seed).
func importCards(ctx context.Context, db *store.DB, v *vault.Vault, n int, log *slog.Logger) ([]demodata.Citizen, error) {
	opts := demodata.Options{Seed: uint64(time.Now().UnixNano()), AsOf: time.Now(), Minors: 1e-12}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(demodata.Write(pw, n, opts)) }()
	sum, err := cardimport.New(db, v, cardimport.Options{}, log).Import(ctx, pr)
	if err != nil {
		return nil, err
	}
	if sum.Imported != n {
		return nil, fmt.Errorf("imported %d cards of %d (rejected %d)", sum.Imported, n, sum.Rejected)
	}
	g := demodata.New(opts)
	cards := make([]demodata.Citizen, n)
	for i := range cards {
		if cards[i], err = g.Next(); err != nil {
			return nil, err
		}
	}
	return cards, nil
}

// provision registers the operator and every device in parallel.
func (f *fixture) provision(ctx context.Context, db *store.DB, c config, log *slog.Logger) error {
	reg := operator.NewRegistry(db, nil)
	if err := reg.Upsert(ctx, operator.Operator{CF: loadOperator, Name: "Operatore di carico", Role: "operator",
		Enabled: true, Menus: []string{operator.All}, Counters: []string{operator.All}}); err != nil {
		return err
	}
	fl := fleet.New(db, nil, log)
	f.devices = make([]device, c.kiosks+c.idle)
	run := ulid.Make().String()[20:]
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(f.devices); i += 4 {
				d := &f.devices[i]
				d.id = fmt.Sprintf("load-%s-%05d", lower(run), i)
				is, err := fl.Provision(ctx, f.ca, fleet.Device{ID: d.id, Site: "loadgen"}, 24*time.Hour)
				if err == nil && i < c.kiosks {
					var s operator.Session
					s, err = reg.CreateSession(ctx, operator.Session{OperatorCF: loadOperator, Device: d.id,
						Menus: []string{string(wire.OpActivation)}})
					d.session = s.ID
				}
				if err != nil {
					errs <- fmt.Errorf("device %s: %w", d.id, err)
					return
				}
				d.cert = is
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
