package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

// Console events of device management.
const (
	EvDeviceDisabled = "device_disabled"
	EvDeviceEnabled  = "device_enabled"
	EvDeviceConfig   = "device_config"  // detail: "ID vN"
	EvDeviceCommand  = "device_command" // detail: "ID NAME CMD_ID"
)

// actor is the request's context carrying the signed-in account as the
// author of fleet changes (fleet.WithActor).
func actor(r *http.Request) context.Context {
	return fleet.WithActor(r.Context(), sessionFrom(r.Context()).Username)
}

// changeEvent records a fleet change of the signed-in account in the
// console log.
func (s *Server) changeEvent(r *http.Request, action, detail string) {
	s.event(r, account.Event{Username: sessionFrom(r.Context()).Username, Client: clientAddr(r), Action: action, Detail: detail})
}

// setDeviceEnabled enables or disables a device (disabling drops its live
// connection to the embedded broker) and records it in the console log.
func (s *Server) setDeviceEnabled(r *http.Request, id string, on bool) error {
	if s.o.Fleet == nil {
		return errNoFleet
	}
	set, ev := s.o.Fleet.Disable, EvDeviceDisabled
	if on {
		set, ev = s.o.Fleet.Enable, EvDeviceEnabled
	}
	if err := set(r.Context(), id); err != nil {
		if errors.Is(err, fleet.ErrUnknownDevice) {
			return errors.Join(errNotFound, err)
		}
		return err
	}
	sess := sessionFrom(r.Context())
	s.event(r, account.Event{Username: sess.Username, Client: clientAddr(r), Action: ev, Detail: id})
	s.log.InfoContext(r.Context(), "device enabled state changed", "dev", id, "enabled", on, "by", sess.Username)
	return nil
}

func (s *Server) enablePost(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := s.setDeviceEnabled(r, id, on); err != nil {
			s.fail(w, r, err)
			return
		}
		ok := "disattivato"
		if on {
			ok = "attivato"
		}
		http.Redirect(w, r, "/dispositivi/"+url.PathEscape(id)+"?ok="+ok, http.StatusSeeOther)
	}
}

func (s *Server) apiEnable(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := s.setDeviceEnabled(r, id, on); err != nil {
			s.apiFail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"device": id, "enabled": on})
	}
}

// policies lists the consent policy versions the engine accepts.
func (s *Server) policies() []string {
	if s.o.Engine == nil {
		return nil
	}
	var out []string
	for _, p := range s.o.Engine.ConsentPolicies() {
		if p.Accepted {
			out = append(out, p.Version)
		}
	}
	return out
}

// counterCaps returns the capabilities registered for counter.
func (s *Server) counterCaps(ctx context.Context, counter string) ([]wire.Capability, error) {
	if s.o.Counters == nil {
		return nil, nil
	}
	ctr, err := s.o.Counters.GetCounter(ctx, counter)
	if err != nil {
		return nil, err
	}
	out := make([]wire.Capability, len(ctr.Capabilities))
	for i, k := range ctr.Capabilities {
		out[i] = wire.Capability(k)
	}
	return out, nil
}

// offeredCaps is what the config form offers: the engine's capabilities.
func offeredCaps() []wire.Capability {
	var out []wire.Capability
	for _, c := range rules.Capabilities() {
		out = append(out, wire.Capability(c))
	}
	return out
}

// checkConfig refuses what fleet.ValidateConfig refuses, and capabilities
// and consent policies the engine does not know, with a sentence for the
// user.
func (s *Server) checkConfig(c wire.Config) error {
	if err := fleet.ValidateConfig(c); err != nil {
		return configInvalid(err)
	}
	for _, k := range c.Capabilities {
		if !slices.Contains(offeredCaps(), k) {
			return fmt.Errorf("%w: capacità %q", invalid(fmt.Sprintf("La capacità «%s» non è gestita dal servizio.", k)), k)
		}
	}
	if ps := s.policies(); s.o.Engine != nil && c.ConsentPolicy != "" && !slices.Contains(ps, c.ConsentPolicy) {
		return fmt.Errorf("%w: politica dei consensi %q", invalid("La politica dei consensi indicata non è tra quelle accettate."), c.ConsentPolicy)
	}
	return nil
}

// configMessages tells the user what to fix, by field of fleet.ConfigError.
var configMessages = map[string]string{
	fleet.FieldLanguages: "Scegliere almeno una lingua, tra italiano (it) e inglese (en), ciascuna una volta sola.",
	fleet.FieldCounter: "Il codice dello sportello può contenere solo lettere minuscole, cifre e i segni - _ . " +
		"(non all'inizio), al massimo 64 caratteri.",
	fleet.FieldCapabilities: "Una capacità indicata non esiste o è ripetuta.",
	fleet.FieldPrice:        fmt.Sprintf("Il prezzo del lettore deve essere tra 0 e %d,00 euro.", fleet.MaxReaderPriceCents/100),
	fleet.FieldVersion:      "La versione della configurazione non è valida.",
}

// configInvalid gives a fleet.ConfigError the sentence of its field.
func configInvalid(err error) error {
	var ce *fleet.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	msg, ok := configMessages[ce.Field]
	if !ok {
		msg = "La configurazione non è valida."
	}
	return fmt.Errorf("%w: %w", invalid(msg), err)
}

// saveCounter writes caps as the capabilities of counter (the device's,
// as SetConfig stored it) to the counters table, keeping its name.
func (s *Server) saveCounter(ctx context.Context, counter string, caps []wire.Capability) error {
	if s.o.Counters == nil {
		return nil
	}
	ctr, err := s.o.Counters.GetCounter(ctx, counter)
	if err != nil {
		return err
	}
	ctr.Capabilities = ctr.Capabilities[:0]
	for _, k := range caps {
		ctr.Capabilities = append(ctr.Capabilities, rules.Capability(k))
	}
	return s.o.Counters.UpsertCounter(ctx, ctr)
}

// lookupOperation returns an operation with its person and document.
func (s *Server) lookupOperation(ctx context.Context, id string) (cms.Operation, error) {
	if s.o.Engine == nil {
		return cms.Operation{}, fmt.Errorf("%w: engine not configured", errNotFound)
	}
	o, err := s.o.Engine.LookupOperation(ctx, id)
	if errors.Is(err, cms.ErrNotFound) {
		return o, errors.Join(errNotFound, err)
	}
	return o, err
}

func (s *Server) operationPage(w http.ResponseWriter, r *http.Request) {
	o, err := s.lookupOperation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "operation", view{Title: "Operazione " + o.OpID, Nav: "ops", Sess: sessionFrom(r.Context()), Data: o})
}

func (s *Server) apiOperation(w http.ResponseWriter, r *http.Request) {
	o, err := s.lookupOperation(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, opDetailJSON(o))
}

// OperationDetail is the API form of an operation with its person.
type OperationDetail struct {
	ID        string        `json:"op_id"`
	Device    string        `json:"device"`
	Type      string        `json:"type"`
	CardTEAM  string        `json:"card_team"`
	Operator  string        `json:"operator_cf"`
	Outcome   string        `json:"outcome"`
	At        string        `json:"at"`
	AppliedAt string        `json:"applied_at"`
	Person    *PersonDetail `json:"person,omitempty"`
}

// PersonDetail is who was present and the document shown.
type PersonDetail struct {
	Role        string         `json:"role"`
	Surname     string         `json:"surname,omitempty"`
	Name        string         `json:"name,omitempty"`
	CF          string         `json:"cf,omitempty"`
	Document    *wire.Document `json:"document,omitempty"`
	Declaration bool           `json:"declaration,omitempty"`
}

func opDetailJSON(o cms.Operation) OperationDetail {
	d := OperationDetail{ID: o.OpID, Device: o.Dev, Type: o.Type, CardTEAM: o.CardTEAM, Operator: o.OperatorCF,
		Outcome: o.Outcome, At: o.At.Format(time.RFC3339), AppliedAt: o.AppliedAt.Format(time.RFC3339)}
	if p := o.Person; p != nil {
		d.Person = &PersonDetail{Role: string(p.Role), Surname: p.Surname, Name: p.Name, CF: p.CF, Declaration: p.Declaration}
		if !p.DocumentNotRequested {
			doc := p.Document
			d.Person.Document = &doc
		}
	}
	return d
}
