package ingest_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// TestBrokerLimits: on both brokers an oversize publish costs the sender
// its connection (and never reaches cmsd, which stays up), and a device
// cannot take over another device's session by choosing its client id.
func TestBrokerLimits(t *testing.T) {
	for _, sc := range stacks {
		t.Run(sc.kind+"-"+string(sc.db), func(t *testing.T) {
			s := newStack(t, sc.kind, sc.db)
			s.cmsd("cmsd-test-1", nil, nil)
			ctx := context.Background()

			lostBig := make(chan error, 1)
			big := s.kiosk("kiosk-01", notify(lostBig))
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			go big.PublishRaw(pctx, wire.Topic("kiosk-01", wire.ChanOps), bytes.Repeat([]byte("x"), 100<<10))
			select {
			case <-lostBig:
			case <-time.After(20 * time.Second):
				t.Fatal("a 100 KiB publish did not cost the sender its connection")
			}

			lostVictim := make(chan error, 1)
			victim := s.kiosk("kiosk-02", notify(lostVictim))
			waitAck(t, victim, send(t, victim).ID) // cmsd is still up

			// kiosk-01's certificate, kiosk-02's client id.
			if k, err := ingesttest.Dial(ctx, s.url, "kiosk-02", s.clientTLS(s.certs["kiosk-01"]), nil, storetest.Logger(t)); err == nil {
				defer k.Close()
			}
			waitAck(t, victim, send(t, victim).ID)
			select {
			case err := <-lostVictim:
				t.Errorf("kiosk-02 lost its connection to a client with kiosk-01's certificate: %v", err)
			default:
			}
		})
	}
}

// notify returns a lost-connection callback that never blocks.
func notify(ch chan error) func(error) {
	return func(err error) {
		select {
		case ch <- err:
		default:
		}
	}
}

// TestDisabledElsewhereIsKicked: a device disabled by another process
// (cmsctl, with no broker to kick) loses its live connection to the
// embedded broker at cmsd's next registry poll.
func TestDisabledElsewhereIsKicked(t *testing.T) {
	s := newStack(t, "embedded", store.SQLite)
	s.cmsd("cmsd-test-1", nil, nil)
	lost := make(chan error, 1)
	k := s.kiosk("kiosk-05", notify(lost))
	waitAck(t, k, send(t, k).ID)
	ctx := context.Background()
	if err := fleet.New(s.db, nil, storetest.Logger(t)).Disable(ctx, "kiosk-05"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.fleet.KickDisabled(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lost:
	case <-time.After(20 * time.Second):
		t.Fatal("the disabled device kept its connection")
	}
}
