package fleet

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

// versionPub records the version of each config it is given, in order.
// When hold is set, the first publish signals entered and waits for
// release before it is recorded.
type versionPub struct {
	t    *testing.T
	hold bool

	entered, release chan struct{}

	mu   sync.Mutex
	seen []int64
	held bool
}

func newVersionPub(t *testing.T, hold bool) *versionPub {
	return &versionPub{t: t, hold: hold, entered: make(chan struct{}), release: make(chan struct{})}
}

func (p *versionPub) Publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	dev, ch, err := wire.ParseTopic(topic)
	if err != nil || ch != wire.ChanConfig || !retain {
		p.t.Errorf("publish to %q (retain %v): want a retained config", topic, retain)
		return errors.New("not a config")
	}
	env, err := wire.Decode(dev, payload)
	if err != nil {
		p.t.Errorf("publish: %v", err)
		return err
	}
	c, err := wire.DecodeBody[wire.Config](env)
	if err != nil {
		p.t.Errorf("publish: %v", err)
		return err
	}
	p.mu.Lock()
	wait := p.hold && !p.held
	p.held = p.held || wait
	p.mu.Unlock()
	if wait {
		close(p.entered)
		select {
		case <-p.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	p.seen = append(p.seen, c.Version)
	p.mu.Unlock()
	return nil
}

func (p *versionPub) versions() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int64(nil), p.seen...)
}

// TestConfigPublishOrder: of two edits at once, the one whose publish is
// late does not leave its older config as the last one on the broker:
// the first edit's publish is held until the second edit has committed;
// the last config published is the second, the desired one.
func TestConfigPublishOrder(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			f, _, _ := newFleet(t, d)
			pub := newVersionPub(t, true)
			f.SetPublisher(pub)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			go func() {
				_, err := f.SetConfig(ctx, "k1", wire.Config{Languages: []string{"it"}})
				errs <- err
			}()
			select {
			case <-pub.entered:
			case err := <-errs:
				t.Fatalf("first edit returned before publishing: %v", err)
			case <-ctx.Done():
				t.Fatal("the first edit never published")
			}
			go func() {
				_, err := f.SetConfig(ctx, "k1", wire.Config{Languages: []string{"it", "en"}})
				errs <- err
			}()
			for {
				c, err := f.Config(ctx, "k1")
				if err != nil {
					t.Fatal(err)
				}
				if c.Version == 2 {
					break
				}
				select {
				case <-ctx.Done():
					t.Fatalf("the second edit never committed (desired version %d)", c.Version)
				case <-time.After(5 * time.Millisecond):
				}
			}
			close(pub.release)
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			got := pub.versions()
			if len(got) == 0 || got[len(got)-1] != 2 {
				t.Errorf("published versions %v: want the last one to be 2, the desired config", got)
			}
		})
	}
}

// TestConfigPublishConcurrent: many edits of one device at once; the last
// config published is the desired one the database keeps.
func TestConfigPublishConcurrent(t *testing.T) {
	const edits = 12
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			f, _, _ := newFleet(t, d)
			pub := newVersionPub(t, false)
			f.SetPublisher(pub)
			if err := f.Register(ctx, Device{ID: "k1"}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, edits)
			for range edits {
				wg.Go(func() {
					_, err := f.SetConfig(ctx, "k1", wire.Config{Languages: []string{"it"}})
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			want, err := f.Config(ctx, "k1")
			if err != nil {
				t.Fatal(err)
			}
			got := pub.versions()
			if want.Version != edits || len(got) != edits || got[len(got)-1] != want.Version {
				t.Errorf("published versions %v, desired version %d: want %d publishes, the last the desired one", got, want.Version, edits)
			}
			if n, err := f.Republish(ctx); n != 1 || err != nil {
				t.Fatalf("republish: %d, %v", n, err)
			}
			if got := pub.versions(); got[len(got)-1] != want.Version {
				t.Errorf("republished version %d, want %d", got[len(got)-1], want.Version)
			}
		})
	}
}
