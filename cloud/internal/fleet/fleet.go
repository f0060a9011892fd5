package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

// Publisher sends one MQTT message at QoS 1.
type Publisher interface {
	Publish(ctx context.Context, topic string, payload []byte, retain bool) error
}

// Kicker drops the live connection of a client whose certificate CN is cn.
type Kicker interface {
	Kick(cn string)
}

// CloudCN is the Common Name of the certificates of cmsd instances; no
// device id may start with it.
const CloudCN = "cmsd"

// StaleAfter is how long a device that said it was online may stay silent
// before it is shown as stale.
const StaleAfter = 3 * time.Minute

// Fleet is the device registry over the CMS database.
type Fleet struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	mu     sync.Mutex
	pub    Publisher
	kicker Kicker

	view *view // what Enabled answers from

	crlChanged chan struct{} // see CRLChanged

	configLocks sync.Map // device id -> *sync.Mutex: see publishDesired
}

// New returns a Fleet over db. pub may be nil until [Fleet.SetPublisher].
func New(db *store.DB, pub Publisher, log *slog.Logger) *Fleet {
	return &Fleet{db: db, log: log, now: time.Now, pub: pub, view: newView(), crlChanged: make(chan struct{}, 1)}
}

// CRLChanged is signalled (without blocking, so several changes may give
// one signal) after this instance changed what [Fleet.CRLEntries] returns:
// a device disabled or enabled, a certificate revoked or replaced. The
// signer of the CRL receives from it; changes made by other processes are
// found by polling CRLEntries.
func (f *Fleet) CRLChanged() <-chan struct{} { return f.crlChanged }

func (f *Fleet) crlChange() {
	select {
	case f.crlChanged <- struct{}{}:
	default:
	}
}

// SetClock replaces the clock (tests).
func (f *Fleet) SetClock(now func() time.Time) { f.now = now }

// SetPublisher sets where configs and commands are published.
func (f *Fleet) SetPublisher(p Publisher) { f.mu.Lock(); f.pub = p; f.mu.Unlock() }

// SetKicker sets who drops the connection of a disabled device.
func (f *Fleet) SetKicker(k Kicker) { f.mu.Lock(); f.kicker = k; f.mu.Unlock() }

func (f *Fleet) publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	f.mu.Lock()
	p := f.pub
	f.mu.Unlock()
	if p == nil {
		return fmt.Errorf("%w: no publisher for %s", ErrNotDelivered, topic)
	}
	if err := p.Publish(ctx, topic, payload, retain); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotDelivered, topic, err)
	}
	return nil
}

// Device is one kiosk as the registry knows it.
type Device struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Site            string    `json:"site"`
	Counter         string    `json:"counter"`
	Enabled         bool      `json:"enabled"`
	CreatedAt       time.Time `json:"created_at"`
	Online          bool      `json:"online"`
	Presence        string    `json:"presence"` // "online", "offline", "stale", "never", "disabled"
	LastSeen        time.Time `json:"last_seen,omitzero"`
	Firmware        string    `json:"firmware"`
	Reader          string    `json:"reader"`
	Printer         string    `json:"printer"`
	Payment         string    `json:"payment"`
	OutboxDepth     int       `json:"outbox_depth"`
	DesiredVersion  int64     `json:"desired_version"`
	ReportedVersion int64     `json:"reported_version"`
	// DesiredAt is when the desired version was set (zero: unknown).
	DesiredAt time.Time `json:"desired_at,omitzero"`
	// RejectedVersion and RejectedReason: the newest config the kiosk
	// refused to apply, and why (0: none), from its state.
	RejectedVersion int64  `json:"rejected_version,omitempty"`
	RejectedReason  string `json:"rejected_reason,omitempty"`
}

// InSync reports whether the device applied its desired configuration.
func (d Device) InSync() bool { return d.ReportedVersion >= d.DesiredVersion }

// Rejected reports whether the device refused its desired configuration
// (RejectedReason says why).
func (d Device) Rejected() bool {
	return !d.InSync() && d.RejectedVersion >= d.DesiredVersion
}

// PendingFor is how long the desired configuration has waited to be
// applied at now: zero when in sync or when not known.
func (d Device) PendingFor(now time.Time) time.Duration {
	if d.InSync() || d.DesiredAt.IsZero() || now.Before(d.DesiredAt) {
		return 0
	}
	return now.Sub(d.DesiredAt)
}

// Register adds a device. Counter defaults to the device id.
func (f *Fleet) Register(ctx context.Context, d Device) error {
	if err := wire.ValidateDeviceID(d.ID); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if strings.HasPrefix(d.ID, CloudCN) {
		return fmt.Errorf("%w: ids starting with %q are reserved for cloud instances", ErrInvalid, CloudCN)
	}
	if d.Counter == "" {
		d.Counter = d.ID
	}
	_, err := f.db.SQL().ExecContext(ctx, `INSERT INTO devices (id, name, site, counter, enabled, created_at)
		VALUES ($1, $2, $3, $4, 1, $5)`, d.ID, d.Name, d.Site, d.Counter, micros(f.now()))
	if err != nil {
		if _, gerr := f.Get(ctx, d.ID); gerr == nil {
			return fmt.Errorf("%w: %s", ErrExists, d.ID)
		}
		return fmt.Errorf("fleet: register %s: %w", d.ID, err)
	}
	f.setLocal(d.ID, true)
	return nil
}

const deviceCols = `id, name, site, counter, enabled, created_at, online, last_seen, firmware,
	reader, printer, payment, outbox_depth, desired_version, reported_version, desired_at, rejected_version, rejected_reason`

func (f *Fleet) scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var enabled, online int
	var created int64
	var seen, desiredAt sql.NullInt64
	err := row.Scan(&d.ID, &d.Name, &d.Site, &d.Counter, &enabled, &created, &online, &seen,
		&d.Firmware, &d.Reader, &d.Printer, &d.Payment, &d.OutboxDepth, &d.DesiredVersion, &d.ReportedVersion,
		&desiredAt, &d.RejectedVersion, &d.RejectedReason)
	if err != nil {
		return Device{}, err
	}
	d.Enabled, d.Online, d.CreatedAt = enabled == 1, online == 1, fromMicros(created)
	if seen.Valid {
		d.LastSeen = fromMicros(seen.Int64)
	}
	if desiredAt.Valid {
		d.DesiredAt = fromMicros(desiredAt.Int64)
	}
	d.Presence = presence(d, f.now())
	return d, nil
}

// presence says whether d is reachable at now. A disabled device is
// "disabled" whatever it last said: its messages, last will included, are
// dropped (ingest records nothing of a disabled device), so its last
// "online" would otherwise turn "stale" and stay so. Online and LastSeen
// keep what it said before it was disabled.
func presence(d Device, now time.Time) string {
	switch {
	case !d.Enabled:
		return "disabled"
	case d.LastSeen.IsZero():
		return "never"
	case !d.Online:
		return "offline"
	case now.Sub(d.LastSeen) > StaleAfter:
		return "stale"
	}
	return "online"
}

// Get returns device id.
func (f *Fleet) Get(ctx context.Context, id string) (Device, error) {
	row := f.db.SQL().QueryRowContext(ctx, `SELECT `+deviceCols+` FROM devices WHERE id = $1`, id)
	d, err := f.scanDevice(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, fmt.Errorf("%w: %s", ErrUnknownDevice, id)
	}
	if err != nil {
		return Device{}, fmt.Errorf("fleet: get %s: %w", id, err)
	}
	return d, nil
}

func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
