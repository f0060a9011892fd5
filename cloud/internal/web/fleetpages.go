package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/shared/wire"
)

// DeviceFilter is the console's fleet filter.
type DeviceFilter struct {
	Presence  string `json:"presence,omitempty"` // online, offline, stale, never, disabled
	Problems  bool   `json:"problems,omitempty"` // reader, printer or payment not ok
	Firmware  string `json:"firmware,omitempty"` // exact firmware version
	Site      string `json:"site,omitempty"`
	Enabled   string `json:"enabled,omitempty"`     // "true", "false" or "" (both)
	OutOfSync bool   `json:"out_of_sync,omitempty"` // desired config not applied
	Search    string `json:"q,omitempty"`           // id prefix or part of the name
}

func deviceFilterFrom(v url.Values) DeviceFilter {
	f := DeviceFilter{Presence: v.Get("presenza"), Problems: v.Get("problemi") == "1",
		Firmware: strings.TrimSpace(v.Get("firmware")), Site: strings.TrimSpace(v.Get("sede")),
		OutOfSync: v.Get("non_allineati") == "1", Search: strings.TrimSpace(v.Get("cerca"))}
	switch v.Get("stato") {
	case "attivi":
		f.Enabled = "true"
	case "disattivati":
		f.Enabled = "false"
	}
	return f
}

// fleetFilter is the part of f the registry selects.
func (f DeviceFilter) fleetFilter(after string, limit int) fleet.Filter {
	ff := fleet.Filter{Site: f.Site, OutOfSync: f.OutOfSync, Search: f.Search, After: after, Limit: limit}
	if on, err := strconv.ParseBool(f.Enabled); err == nil {
		ff.Enabled = &on
	}
	return ff
}

// HasProblem reports whether a device's health needs attention.
func HasProblem(d fleet.Device) bool {
	for _, v := range []string{d.Reader, d.Printer, d.Payment} {
		if v != "" && v != "ok" {
			return true
		}
	}
	return false
}

var errNoFleet = errors.New("web: fleet registry not available")

// devicePageSize is the number of devices on one page of the console.
const devicePageSize = 100

// listDevices returns up to size devices matching f with an id after
// after, ordered by id, and the cursor of the next page ("" on the last).
// It walks the registry in chunks, since presence, firmware and problems
// are filtered here.
func (s *Server) listDevices(ctx context.Context, f DeviceFilter, after string, size int) ([]fleet.Device, string, error) {
	if s.o.Fleet == nil {
		return nil, "", errNoFleet
	}
	const chunk = 500
	var out []fleet.Device
	for {
		all, err := s.o.Fleet.List(ctx, f.fleetFilter(after, chunk))
		if err != nil {
			return nil, "", err
		}
		for _, d := range all {
			if !f.match(d) {
				continue
			}
			if len(out) == size {
				return out, out[size-1].ID, nil
			}
			out = append(out, d)
		}
		if len(all) < chunk {
			return out, "", nil
		}
		after = all[len(all)-1].ID
	}
}

func (f DeviceFilter) match(d fleet.Device) bool {
	return (f.Presence == "" || d.Presence == f.Presence) && (f.Firmware == "" || d.Firmware == f.Firmware) &&
		(!f.Problems || HasProblem(d))
}

// firmwares lists the firmware versions reported by the fleet.
func (s *Server) firmwares(ctx context.Context) ([]string, error) {
	rows, err := s.db.SQL().QueryContext(ctx, `SELECT DISTINCT firmware FROM devices WHERE firmware <> '' ORDER BY firmware`)
	if err != nil {
		return nil, fmt.Errorf("web: firmwares: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("web: firmwares: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f, after := deviceFilterFrom(v), v.Get("dopo")
	devs, next, err := s.listDevices(r.Context(), f, after, devicePageSize)
	var fws []string
	if err == nil {
		fws, err = s.firmwares(r.Context())
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]deviceRow, len(devs))
	for i, d := range devs {
		rows[i] = s.deviceRow(d)
	}
	s.render(w, http.StatusOK, "devices", view{Title: "Dispositivi", Nav: "fleet", Sess: sessionFrom(r.Context()),
		Data: struct {
			F         DeviceFilter
			Devices   []deviceRow
			Firmwares []string
			Pages     pager
		}{f, rows, fws, newPager("/dispositivi", v, "dopo", after, next)}})
}

// deviceRow is a device as the console shows it.
type deviceRow struct {
	fleet.Device
	Pending string // how long the desired config has waited, in Italian; "" in sync or unknown
}

func (s *Server) deviceRow(d fleet.Device) deviceRow {
	r := deviceRow{Device: d}
	if p := d.PendingFor(s.o.Now()); p > 0 {
		r.Pending = durationIT(p)
	}
	return r
}

// durationIT says d in Italian, to the minute, hour or day.
func durationIT(d time.Duration) string {
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	switch {
	case d < time.Minute:
		return "meno di un minuto"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minuto", "minuti")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "ora", "ore")
	}
	return plural(int(d/(24*time.Hour)), "giorno", "giorni")
}

type deviceData struct {
	D        deviceRow
	Health   []fleet.Health
	Config   wire.Config
	Commands []commandRow
	Caps     []wire.Capability // offered: the engine's capabilities
	Current  []wire.Capability // the counter's, from the counters table
	Policies []string
	Langs    []string // the form's languages: the config's, Italian when none
	Changes  []fleet.ConfigChange
	CmdTTL   string // how long a command waits for the device, in Italian
	// HealthNext is the cursor of the next page of Health ("" on the
	// last); HealthPages its links on the page.
	HealthNext  string
	HealthPages pager
}

// configHistorian is the fleet registry's config history.
type configHistorian interface {
	ConfigHistory(ctx context.Context, dev string, limit int) ([]fleet.ConfigChange, error)
}

// deviceDetail gathers device id's page; before pages the health history
// (zero: from the newest entry).
func (s *Server) deviceDetail(ctx context.Context, id string, before fleet.HealthCursor) (deviceData, error) {
	var d deviceData
	if s.o.Fleet == nil {
		return d, errNoFleet
	}
	dev, err := s.o.Fleet.Get(ctx, id)
	if err != nil {
		if errors.Is(err, fleet.ErrUnknownDevice) {
			err = errors.Join(errNotFound, err)
		}
		return d, err
	}
	d.D = s.deviceRow(dev)
	if d.Health, d.HealthNext, err = s.healthPage(ctx, id, before); err != nil {
		return d, err
	}
	if d.Config, err = s.o.Fleet.Config(ctx, id); err != nil {
		return d, err
	}
	cmds, err := s.o.Fleet.Commands(ctx, id, 20)
	if err != nil {
		return d, err
	}
	for _, c := range cmds {
		d.Commands = append(d.Commands, commandRow{c, commandLabels[c.Name], commandStatusLabels[c.Status]})
	}
	if h, ok := s.o.Fleet.(configHistorian); ok {
		if d.Changes, err = h.ConfigHistory(ctx, id, 20); err != nil {
			return d, err
		}
	}
	d.Caps, d.Policies, d.Langs, d.CmdTTL = offeredCaps(), s.policies(), d.Config.Languages, durationIT(commandTTL)
	if len(d.Langs) == 0 {
		d.Langs = []string{"it"}
	}
	d.Current, err = s.counterCaps(ctx, d.D.Counter)
	return d, err
}

func (s *Server) devicePage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	before, err := healthCursor(v.Get("storico_prima"))
	if err == nil {
		var d deviceData
		if d, err = s.deviceDetail(r.Context(), r.PathValue("id"), before); err == nil {
			d.HealthPages = newPager("/dispositivi/"+url.PathEscape(d.D.ID), v, "storico_prima", v.Get("storico_prima"), d.HealthNext)
			s.render(w, http.StatusOK, "device", view{Title: "Dispositivo " + d.D.ID, Nav: "fleet", Sess: sessionFrom(r.Context()),
				Flash: flash(r), Warn: deviceWarning(r), Data: d})
			return
		}
	}
	s.fail(w, r, err)
}

// healthPageSize is the number of health entries on one page.
const healthPageSize = 50

// healthPage returns a page of the health history of dev over HealthKeep,
// from the entries after cursor before, and the cursor of the next page
// ("" on the last).
func (s *Server) healthPage(ctx context.Context, dev string, before fleet.HealthCursor) ([]fleet.Health, string, error) {
	since := s.o.Now().Add(-fleet.HealthKeep)
	p, ok := s.o.Fleet.(healthPager)
	if !ok {
		h, err := s.o.Fleet.History(ctx, dev, since, healthPageSize)
		return h, "", err
	}
	h, err := p.HistoryBefore(ctx, dev, since, before, healthPageSize+1)
	if err != nil || len(h) <= healthPageSize {
		return h, "", err
	}
	h = h[:healthPageSize]
	return h, h[len(h)-1].Cursor().String(), nil
}

// healthCursor reads the storico_prima (API: health_before) parameter, a
// [fleet.HealthCursor].
func healthCursor(v string) (fleet.HealthCursor, error) {
	c, err := fleet.ParseHealthCursor(v)
	if err != nil {
		return c, fmt.Errorf("%w: %w", invalid("La pagina dello storico richiesta non è valida."), err)
	}
	return c, nil
}

// healthPager is the fleet registry's paged health history.
type healthPager interface {
	HistoryBefore(ctx context.Context, dev string, since time.Time, c fleet.HealthCursor, limit int) ([]fleet.Health, error)
}

// configFromForm reads the config edit form.
func configFromForm(r *http.Request) (wire.Config, error) {
	c := wire.Config{ConsentPolicy: r.PostFormValue("consensi"), Counter: strings.TrimSpace(r.PostFormValue("sportello"))}
	for _, v := range r.PostForm["capacita"] {
		c.Capabilities = append(c.Capabilities, wire.Capability(v))
	}
	c.Languages = append(c.Languages, r.PostForm["lingue"]...)
	price := strings.Replace(strings.TrimSpace(r.PostFormValue("prezzo")), ",", ".", 1)
	eur, err := strconv.ParseFloat(price, 64)
	if err != nil || eur < 0 || eur*100 > fleet.MaxReaderPriceCents {
		return c, fmt.Errorf("%w: prezzo del lettore %q", invalid(configMessages[fleet.FieldPrice]), price)
	}
	c.ReaderPriceCents = int(eur*100 + 0.5)
	return c, nil
}

func (s *Server) configPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := configFromForm(r)
	if err == nil {
		_, err = s.changeConfig(r, id, c)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dispositivi/"+url.PathEscape(id)+"?ok=config", http.StatusSeeOther)
}

// changeConfig stores c as the desired config of device id with the
// signed-in account as its author, writes its capabilities to the
// device's counter and records the change in the console log.
func (s *Server) changeConfig(r *http.Request, id string, c wire.Config) (wire.Config, error) {
	nc, err := s.setConfig(actor(r), id, c)
	if err != nil {
		return nc, err
	}
	s.changeEvent(r, EvDeviceConfig, fmt.Sprintf("%s v%d", id, nc.Version))
	return nc, s.saveCounter(r.Context(), nc.Counter, c.Capabilities)
}

// setConfig stores c as the desired config of device id (the device's
// counter with it) and returns it as stored.
func (s *Server) setConfig(ctx context.Context, id string, c wire.Config) (wire.Config, error) {
	if s.o.Fleet == nil {
		return wire.Config{}, errNoFleet
	}
	if err := s.checkConfig(c); err != nil {
		return wire.Config{}, err
	}
	nc, err := s.o.Fleet.SetConfig(ctx, id, c)
	switch {
	case errors.Is(err, fleet.ErrUnknownDevice):
		return nc, errors.Join(errNotFound, err)
	case errors.Is(err, fleet.ErrInvalid):
		return nc, errors.Join(ErrBadInput, err)
	case err != nil && nc.Version > 0:
		// Stored but not published: the fleet republishes it later.
		s.log.WarnContext(ctx, "config stored, publish failed", "dev", id, "version", nc.Version, "err", err)
		return nc, nil
	}
	if err == nil {
		s.log.InfoContext(ctx, "device config changed", "dev", id, "version", nc.Version, "counter", nc.Counter,
			"by", sessionFrom(ctx).Username)
	}
	return nc, err
}
