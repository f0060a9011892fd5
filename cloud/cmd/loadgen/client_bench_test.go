//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/mqttlite"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/shared/wire"
)

// BenchmarkKioskRoundTrip measures what a simulated kiosk costs the load
// generator with each client: 50 kiosks in a closed loop publish an
// activation, a cloud client (the same for both) answers each on the
// kiosk's ack topic with a real ack envelope, the kiosk decodes it and
// publishes the next one, through a private Mosquitto. cpu-us/op is the
// CPU of this whole process (kiosks and the answering client, not
// Mosquitto) per round trip.
func BenchmarkKioskRoundTrip(b *testing.B) {
	for _, client := range []string{clientLean, clientPaho} {
		b.Run(client, func(b *testing.B) { benchRoundTrip(b, client) })
	}
}

func benchRoundTrip(b *testing.B, client string) {
	const kiosks = 50
	ca, err := pki.NewCA("bench CA", time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := ca.IssueServer([]string{"127.0.0.1"}, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	crl, err := ca.CRL(nil, 1, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for name, data := range map[string][]byte{"ca.pem": ca.PEM, "server.pem": srv.CertPEM, "server-key.pem": srv.KeyPEM, "crl.pem": crl} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	url := ingesttest.StartMosquitto(b, dir)
	issue := func(cn string) pki.Issued {
		is, err := ca.IssueClient(cn, time.Now(), time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		return is
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// The cloud side: answers every operation with its kiosk's ack.
	acks := map[string][]byte{}
	ops := map[string][]byte{}
	ks := make([]*kiosk, kiosks)
	cards := demodata.New(demodata.Options{Seed: 1, AsOf: time.Now(), Minors: 1e-12})
	for i := range ks {
		cfg, err := clientTLS(issue(devID(i)), ca)
		if err != nil {
			b.Fatal(err)
		}
		if ks[i], err = dialKiosk(ctx, client, url, devID(i), cfg); err != nil {
			b.Fatal(err)
		}
		defer ks[i].close()
		card, err := cards.Next()
		if err != nil {
			b.Fatal(err)
		}
		op, err := activation(ks[i], "session", card)
		if err != nil {
			b.Fatal(err)
		}
		ops[devID(i)], _ = op.Encode()
		ack, err := wire.New(devID(i), 0, wire.TypeAck, time.Now(), wire.Ack{OpID: op.ID, OpSeq: op.Seq, Status: wire.StatusApplied,
			Outcome: "applied", Message: "Carta attivata"})
		if err != nil {
			b.Fatal(err)
		}
		acks[wire.Topic(devID(i), wire.ChanOps)], _ = ack.Encode()
	}
	ccfg, err := clientTLS(issue("cmsd-test-1"), ca)
	if err != nil {
		b.Fatal(err)
	}
	var cloud *mqttlite.Client
	cloud, err = mqttlite.Dial(ctx, mqttlite.Config{Broker: url, TLS: ccfg, ClientID: "cmsd-test-1", CleanSession: true,
		Subs: []string{"cms/v1/dev/+/ops"}, OnMessage: func(topic, _ []byte) {
			t := string(topic)
			cloud.Publish(t[:len(t)-len("ops")]+"ack", acks[t], false)
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer cloud.Close()

	var wg sync.WaitGroup
	per := b.N/kiosks + 1
	b.ResetTimer()
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for _, k := range ks {
		wg.Add(1)
		left := per
		topic, op := wire.Topic(k.id, wire.ChanOps), ops[k.id]
		k.onAck(func(wire.Ack) {
			if left--; left == 0 {
				wg.Done()
				return
			}
			k.publish(ctx, topic, op)
		})
		k.publish(ctx, topic, op)
	}
	wg.Wait()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	b.StopTimer()
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu.Microseconds())/float64(per*kiosks), "cpu-us/op")
	for _, k := range ks {
		if n := k.invalid(); n != 0 {
			b.Errorf("kiosk %s: %d acks did not decode", k.id, n)
		}
	}
}

func devID(i int) string { return "bench-" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }
