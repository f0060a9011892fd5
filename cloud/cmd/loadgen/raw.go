package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
)

// rawTopic is a topic cmsd's subscriptions do not match (no channel level).
const rawTopic = "cms/v1/dev/loadgen-raw/raw"

// rawPayload is about the size of an activation envelope.
const rawPayload = 700

// rawResult is the baseline: QoS 1 publish -> subscribe through the broker.
type rawResult struct {
	n       int
	elapsed time.Duration
	lat     []time.Duration
}

// rawBaseline publishes n QoS 1 messages (at most 1000 in flight) from one
// cloud client to another through the same broker and times them.
func rawBaseline(ctx context.Context, url string, ca *pki.CA, db *store.DB, n int, log *slog.Logger) (rawResult, error) {
	fl := fleet.New(db, nil, log)
	dial := func(id string, subs map[string]ingest.Handler) (*ingest.Client, error) {
		is, err := fl.IssueCloud(ctx, ca, id, time.Hour) // CN = client id
		if err != nil {
			return nil, err
		}
		cfg, err := clientTLS(is, ca)
		if err != nil {
			return nil, err
		}
		return ingest.Dial(ctx, ingest.Config{Broker: url, ClientID: id, TLS: cfg, CleanSession: true, Subs: subs}, slog.New(slog.DiscardHandler))
	}
	res := rawResult{n: n, lat: make([]time.Duration, 0, n)}
	var mu sync.Mutex
	all := make(chan struct{})
	sub, err := dial("cmsd-loadgen-sub", map[string]ingest.Handler{rawTopic: func(m ingest.Message) {
		sent := time.Unix(0, int64(binary.BigEndian.Uint64(m.Payload())))
		mu.Lock()
		res.lat = append(res.lat, time.Since(sent))
		if len(res.lat) == n {
			close(all)
		}
		mu.Unlock()
	}})
	if err != nil {
		return res, fmt.Errorf("raw subscriber: %w", err)
	}
	defer sub.Close(100 * time.Millisecond)
	pub, err := dial("cmsd-loadgen-pub", nil)
	if err != nil {
		return res, fmt.Errorf("raw publisher: %w", err)
	}
	defer pub.Close(100 * time.Millisecond)
	start := time.Now()
	if err := publishWindowed(pub, n); err != nil {
		return res, err
	}
	select {
	case <-all:
	case <-ctx.Done():
		return res, ctx.Err()
	case <-time.After(2 * time.Minute):
		return res, fmt.Errorf("raw baseline: %d of %d messages received", len(res.lat), n)
	}
	res.elapsed = time.Since(start)
	log.Info("raw baseline done", "n", n, "took", res.elapsed.Round(time.Millisecond))
	return res, nil
}

func publishWindowed(pub *ingest.Client, n int) error {
	const window = 1000
	tokens := make(chan interface {
		Done() <-chan struct{}
		Error() error
	}, window)
	errc := make(chan error, 1)
	go func() {
		var first error
		for t := range tokens {
			<-t.Done()
			if err := t.Error(); err != nil && first == nil {
				first = err
			}
		}
		errc <- first
	}()
	for range n {
		b := make([]byte, rawPayload)
		binary.BigEndian.PutUint64(b, uint64(time.Now().UnixNano()))
		tokens <- pub.PublishAsync(rawTopic, b)
	}
	close(tokens)
	return <-errc
}
