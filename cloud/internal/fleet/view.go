package fleet

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// enabledTTL bounds how old the view [Fleet.Enabled] answers from may be:
// a device disabled by another instance or by cmsctl is refused within
// this. This instance's own Disable, Enable and Register update the view
// at once.
const enabledTTL = 2 * time.Second

// maxLookups bounds the devices looked up alone (missing from the view)
// per view: a flood of messages from unknown ids costs at most this many
// queries per enabledTTL; past it a message of an id not looked up yet
// gets no verdict (an error, not ErrUnknownDevice: it is not answered and
// comes again), an id found unknown stays refused until the next load.
const maxLookups = 256

// loadTimeout bounds one load of the view. The load runs detached from the
// context of the caller that started it, since every caller waiting for it
// shares its result.
const loadTimeout = 10 * time.Second

// view is the fleet-wide answer of [Fleet.Enabled]: the enabled flag of
// every registered device, loaded in one statement at most every
// enabledTTL by the first caller that finds it stale, instead of one query
// per device. Devices are never deleted, so an id is known from the moment
// it is registered; an id missing from the view is looked up alone (it may
// have been registered on another instance since the load) and then kept
// until the next load, found or not.
//
// A load reads the table as of its start and is installed when it ends, so
// a change this instance makes meanwhile would be undone by it: changes
// are kept in local with the number of the last load begun when they were
// made, and applied again over a load installed later that began before
// them.
type view struct {
	mu      sync.Mutex
	flags   map[string]bool // device id -> enabled
	unknown map[string]bool // ids looked up alone and not found, since the last load
	lookups int             // lookups alone since the last load
	at      time.Time       // start of the installed load; zero: none yet
	seq     uint64          // number of the installed load
	started uint64          // loads started so far
	local   map[string]change
	loading *load // the refresh in flight that callers of Enabled share
}

type change struct {
	enabled bool
	seq     uint64 // view.started when the change was made
}

// load is one refresh in flight: done is closed when it ends, err is set
// before.
type load struct {
	done chan struct{}
	err  error
}

func newView() *view {
	return &view{flags: map[string]bool{}, unknown: map[string]bool{}, local: map[string]change{}}
}

// Enabled reports whether dev is registered and enabled, from a view of
// the whole fleet at most enabledTTL old (see view). Unknown devices yield
// ErrUnknownDevice. An error otherwise means the registry could not be
// read.
func (f *Fleet) Enabled(ctx context.Context, dev string) (bool, error) {
	v := f.view
	loaded := false // a load this call waited for succeeded
	for {
		now := f.now()
		v.mu.Lock()
		// After one wait the view just installed answers, whatever its age:
		// with loads slower than enabledTTL (a saturated database) the loop
		// would otherwise load again and again and never answer.
		if !v.at.IsZero() && (now.Sub(v.at) < enabledTTL || loaded) {
			on, ok := v.flags[dev]
			switch {
			case ok:
				v.mu.Unlock()
				return on, nil
			case v.unknown[dev]:
				v.mu.Unlock()
				return false, fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
			case v.lookups >= maxLookups:
				// Not a verdict: the device may have been registered since
				// the load. The message stays unanswered and is sent again.
				v.mu.Unlock()
				return false, fmt.Errorf("%w: %s not checked", errLookupBudget, dev)
			}
			v.lookups++
			seq := v.started
			v.mu.Unlock()
			return f.lookup(ctx, dev, seq)
		}
		l := v.loading
		if l == nil {
			l = &load{done: make(chan struct{})}
			v.loading = l
			go f.refresh(context.WithoutCancel(ctx), l, now)
		}
		v.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return false, fmt.Errorf("fleet: enabled %s: %w", dev, ctx.Err())
		}
		if l.err != nil {
			return false, l.err
		}
		loaded = true
	}
}

// errLookupBudget: more ids missing from the view were looked up alone
// since the last load than maxLookups allows.
var errLookupBudget = errors.New("fleet: too many lookups of unregistered devices since the last load")

// refresh runs the shared load l, started at now.
func (f *Fleet) refresh(ctx context.Context, l *load, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	_, l.err = f.loadView(ctx, now)
	f.view.mu.Lock()
	f.view.loading = nil
	f.view.mu.Unlock()
	close(l.done)
}

// loadView reads the enabled flag of every device in one statement,
// installs it as the view loaded at now unless a load started later is
// installed already, and returns the ids of the disabled devices it read.
func (f *Fleet) loadView(ctx context.Context, now time.Time) ([]string, error) {
	seq, size := f.view.begin()
	flags, disabled, err := f.readFlags(ctx, size)
	if err != nil {
		return nil, err
	}
	f.view.install(seq, now, flags)
	return disabled, nil
}

// readFlags reads the enabled flag of every device; size is how many
// there were at the last load.
func (f *Fleet) readFlags(ctx context.Context, size int) (map[string]bool, []string, error) {
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT id, enabled FROM devices`)
	if err != nil {
		return nil, nil, fmt.Errorf("fleet: load enabled devices: %w", err)
	}
	defer rows.Close()
	flags := make(map[string]bool, size+size/8)
	var disabled []string
	for rows.Next() {
		var id string
		var enabled int
		if err := rows.Scan(&id, &enabled); err != nil {
			return nil, nil, fmt.Errorf("fleet: load enabled devices: %w", err)
		}
		flags[id] = enabled == 1
		if enabled != 1 {
			disabled = append(disabled, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("fleet: load enabled devices: %w", err)
	}
	return flags, disabled, nil
}

// begin numbers a load about to read the table.
func (v *view) begin() (seq uint64, size int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.started++
	return v.started, len(v.flags)
}

// install makes flags, read by load seq that began at now, the view,
// unless a load that began later is installed already. The changes this
// instance made after load seq began are applied over it; the older ones
// it read, and so does every later load.
func (v *view) install(seq uint64, now time.Time, flags map[string]bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if seq <= v.seq {
		return
	}
	for id, c := range v.local {
		if c.seq >= seq {
			flags[id] = c.enabled
		} else {
			delete(v.local, id)
		}
	}
	v.flags, v.at, v.seq = flags, now, seq
	v.unknown, v.lookups = map[string]bool{}, 0
}

// lookup reads one device missing from the view and keeps the answer until
// the next load; seq is the number of loads started before it.
func (f *Fleet) lookup(ctx context.Context, dev string, seq uint64) (bool, error) {
	on, err := f.enabledNow(ctx, dev)
	if err != nil && !errors.Is(err, ErrUnknownDevice) {
		return false, err
	}
	v := f.view
	v.mu.Lock()
	// Installed only if nothing newer came meanwhile: a load that started
	// after the lookup, or this instance's own Register, Enable or Disable.
	if _, set := v.flags[dev]; !set && v.seq <= seq {
		if err != nil {
			v.unknown[dev] = true
		} else {
			v.flags[dev] = on
		}
	}
	v.mu.Unlock()
	return on, err
}

// setLocal records that this instance just set the enabled flag of dev
// (registered it, enabled or disabled it): the view answers it at once.
func (f *Fleet) setLocal(dev string, enabled bool) {
	v := f.view
	v.mu.Lock()
	v.flags[dev] = enabled
	delete(v.unknown, dev)
	v.local[dev] = change{enabled: enabled, seq: v.started}
	v.mu.Unlock()
}

func (f *Fleet) enabledNow(ctx context.Context, dev string) (bool, error) {
	var enabled int
	err := f.db.SQL().QueryRowContext(ctx, `SELECT enabled FROM devices WHERE id = $1`, dev).Scan(&enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("%w: %s", ErrUnknownDevice, dev)
	}
	if err != nil {
		return false, fmt.Errorf("fleet: enabled %s: %w", dev, err)
	}
	return enabled == 1, nil
}
