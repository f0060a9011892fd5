package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/fse/fsesim"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/notify/smssim"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

const (
	testDevice = "kiosk-e2e"
	testOpCF   = "MRNLCU00A01H501J"
)

// seeded is what the test prepares in the data directory before cmsd starts.
type seeded struct {
	citizen    demodata.Citizen
	kioskTLS   pki.Issued
	ca         *pki.CA
	cardCert   []byte
	cardSigner func(nonce []byte) []byte
}

// TestCmsdEndToEnd runs cmsd's run(ctx) on embedded defaults (broker and
// SQLite on free ports in a temp dir) with the FSE and SMS simulators over
// HTTP, and walks an activation from a simulated kiosk to the SMS.
func TestCmsdEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := config{data: dir, mqttAddr: freeAddr(t), httpAddr: freeAddr(t), metricsAddr: freeAddr(t), name: "cmsd-e2e",
		operatorCA: filepath.Join(dir, "operator-ca.pem")}
	must(t, c.defaults())
	fseSim, sms := fsesim.New(), smssim.New()
	fseSrv, smsSrv := httptest.NewServer(fseSim), httptest.NewServer(sms)
	t.Cleanup(fseSrv.Close)
	t.Cleanup(smsSrv.Close)
	c.workers = workerConfig{fseURL: fseSrv.URL, smsURL: smsSrv.URL, devSpool: true, poll: 20 * time.Millisecond}
	s := seed(t, c)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, c, testLogger(t)) }()
	base := "http://" + c.httpAddr
	// /healthz is 200 only once the database answers and ingest is
	// connected to the broker.
	eventually(t, "/healthz", func() bool { code, _, _ := httpGet(base + "/healthz"); return code == 200 })

	cfg, err := pki.ClientTLS(s.kioskTLS, s.ca.Pool())
	must(t, err)
	k, err := ingesttest.Dial(ctx, "tls://"+c.mqttAddr, testDevice, cfg, nil, testLogger(t))
	must(t, err)
	defer k.Close()

	// /healthz may answer before ingest has subscribed: a request sent
	// before that reaches no one, and the kiosk asks again, as firmware does.
	eventually(t, "ingest answering", func() bool {
		_, err := k.Request(ctx, wire.MethodOperatorChallenge, wire.OperatorChallengeParams{CF: testOpCF}, time.Second)
		return err == nil
	})
	ch := call[wire.OperatorChallengeResult](t, k, wire.MethodOperatorChallenge, wire.OperatorChallengeParams{CF: testOpCF})
	auth := call[wire.OperatorAuthResult](t, k, wire.MethodOperatorAuth, wire.OperatorAuthParams{CF: testOpCF,
		Certificate: s.cardCert, Nonce: ch.Nonce, Signature: s.cardSigner(ch.Nonce), Menu: string(wire.OpActivation)})
	op := wire.Operator{CF: testOpCF, Session: auth.Session}
	ref := wire.CardRef{CF: s.citizen.CF, TEAM: s.citizen.TEAM, Expiry: wire.DateOf(s.citizen.Expiry)}
	look := call[wire.CardLookupResult](t, k, wire.MethodCardLookup, wire.CardLookupParams{Operator: op, Card: ref})
	if look.Surname != s.citizen.Surname {
		t.Errorf("card_lookup surname %q, want %q", look.Surname, s.citizen.Surname)
	}
	halves := call[wire.PinHalvesResult](t, k, wire.MethodPinHalves, wire.PinHalvesParams{Operator: op, Card: ref, Purpose: wire.OpActivation})
	if !strings.HasPrefix(s.citizen.PIN, halves.PinFirst) || halves.PinFirst == "" {
		t.Errorf("pin_halves: first half does not start the PIN")
	}

	env, err := k.Op(wire.OpActivation, wire.Activation{Common: wire.Common{Operator: op}, Card: ref,
		Requester: wire.Requester{Role: wire.RoleHolder},
		Document:  wire.Document{Kind: "carta_identita", Number: "CA12345AA", Issuer: "Comune di Firenze", Expires: wire.NewDate(2031, 1, 1)},
		Delivery:  wire.Delivery{Channel: wire.DeliverySMS, Address: "+39 333 123 4567"},
		FSE:       &wire.Consents{Policy: "fse-2015", Given: []string{"alimentazione", "pregressi", "consultazione"}}})
	must(t, err)
	acks, err := k.Deliver(ctx, []wire.Envelope{env}, time.NewTicker(2*time.Second).C)
	must(t, err)
	if a := acks[env.ID]; a.Outcome != string(outcome.Applied) {
		t.Fatalf("activation ack %+v, want applied", a)
	}
	eventually(t, "FSE creation", func() bool { return fseSim.Created(s.citizen.CF) == 1 })
	eventually(t, "SMS with the second halves", func() bool { return len(sms.Messages()) == 1 })
	if m := sms.Messages()[0]; !strings.Contains(m.Text, s.citizen.PIN[len(halves.PinFirst):]) {
		t.Errorf("SMS does not carry the second half of the PIN")
	}
	code, body, err := httpGet("http://" + c.metricsAddr + "/metrics")
	if err != nil || code != 200 || !strings.Contains(body, `cms_ingest_acks_total`) {
		t.Errorf("/metrics = %d, %v; body has no cms_ingest_acks_total", code, err)
	}
	if code, _, _ := httpGet(base + "/metrics"); code == 200 {
		t.Error("the console port serves /metrics without a sign-in")
	}
	stop()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

// seed prepares the database, the fleet CA, the vault, one card, the
// operator and the device, as an operator of the service would with cmsctl.
func seed(t *testing.T, c config) seeded {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, c.db, testLogger(t))
	must(t, err)
	defer db.Close()
	must(t, vault.Generate(c.vaultKey))
	v, err := vault.Load(c.vaultKey)
	must(t, err)
	var s seeded
	s.citizen = seedCard(t, db, v)
	opCA := newOperatorCA(t, c.operatorCA)
	cert, key := opCA.card(t, testOpCF)
	s.cardCert, s.cardSigner = cert, func(n []byte) []byte { return signNonce(t, key, n) }
	reg := operator.NewRegistry(db, nil)
	must(t, reg.Upsert(ctx, operator.Operator{CF: testOpCF, Name: "Luca Marini", Role: "operator", Enabled: true,
		Menus: []string{string(wire.OpActivation)}, Counters: []string{operator.All}}))
	s.ca, _, err = pki.LoadOrCreateCA(filepath.Join(c.data, "pki"), "CNS kiosk fleet CA", time.Now())
	must(t, err)
	s.kioskTLS, err = fleet.New(db, nil, testLogger(t)).Provision(ctx, s.ca, fleet.Device{ID: testDevice}, time.Hour)
	must(t, err)
	return s
}
