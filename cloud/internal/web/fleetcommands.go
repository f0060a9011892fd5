package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/shared/wire"
)

var commandNames = []string{"reboot", "print_test", "sync_now"}

// commandLabels and commandStatusLabels say commands and their status in
// Italian.
var (
	commandLabels       = map[string]string{"reboot": "Riavvia", "print_test": "Stampa di prova", "sync_now": "Sincronizza ora"}
	commandStatusLabels = map[string]string{"sent": "Inviato, in attesa di risposta", "done": "Eseguito",
		"failed": "Non riuscito", "expired": "Scaduto senza risposta", "unknown": "Non riconosciuto dal chiosco"}
)

// commandRow is a command as the device page shows it.
type commandRow struct {
	fleet.CommandRecord
	Label, StatusLabel string // "" when not known: the page shows the raw value
}

func (s *Server) commandPost(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.sendCommand(r, id, r.PostFormValue("comando"))
	q := "?ok=comando"
	switch {
	case errors.Is(err, fleet.ErrNotDelivered):
		q = "?warn=comando"
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		q = s.commandOutcome(r.Context(), id)
	}
	http.Redirect(w, r, "/dispositivi/"+url.PathEscape(id)+q, http.StatusSeeOther)
}

// commandOutcome is the query that tells the device page how a command
// handed to the broker reaches device id: now (online), when it connects
// again (offline, stale: the broker keeps it in the kiosk's session), or
// never (never connected: no session to keep it in).
func (s *Server) commandOutcome(ctx context.Context, id string) string {
	d, err := s.o.Fleet.Get(ctx, id)
	switch {
	case err != nil:
		// Sent all the same; only the notice is unknown.
		s.log.WarnContext(ctx, "device presence after a command not read", "dev", id, "err", err)
		return "?ok=comando"
	case d.Presence == "never":
		return "?warn=" + warnCmdNever
	case d.Presence != "online":
		return "?warn=" + warnCmdAway
	}
	return "?ok=comando"
}

// Notices of the device page about a command the device is not connected
// to receive now (warn=...).
const (
	warnCmdAway  = "comando_assente"
	warnCmdNever = "comando_mai"
)

// deviceWarning is the warning of the device page: one of the command
// notices, or the console's (warning).
func deviceWarning(r *http.Request) string {
	switch r.URL.Query().Get("warn") {
	case warnCmdAway:
		return "Comando registrato: il dispositivo non risulta in linea. Lo riceverà quando si ricollega, " +
			"se entro " + durationIT(commandTTL) + " dall'invio; dopo la scadenza non lo esegue e il comando risulta scaduto."
	case warnCmdNever:
		return "Comando registrato, ma il dispositivo non si è mai collegato: non lo riceverà e tra " +
			durationIT(commandTTL) + " risulterà scaduto."
	}
	return warning(r)
}

// msgCmdDisabled is what the console says of a command to a disabled
// device.
const msgCmdDisabled = "Il dispositivo è disattivato e non riceve comandi: il comando non è stato inviato. Riattivare il dispositivo per inviargliene."

// commandTTL is how long a command sent from the console may wait for
// its device.
const commandTTL = 15 * time.Minute

// sendCommand sends command name to device id with the signed-in account
// as its sender and records it in the console log. fleet.ErrNotDelivered:
// recorded, not handed to the broker now. A disabled device is refused
// (bad input saying so; nothing recorded).
func (s *Server) sendCommand(r *http.Request, id, name string) (wire.Command, error) {
	if !slices.Contains(commandNames, name) {
		return wire.Command{}, fmt.Errorf("%w: comando %q", invalid("Il comando richiesto non è previsto per i dispositivi."), name)
	}
	if s.o.Fleet == nil {
		return wire.Command{}, errNoFleet
	}
	cmd, err := s.o.Fleet.SendCommand(actor(r), id, name, nil, commandTTL)
	switch {
	case errors.Is(err, fleet.ErrUnknownDevice):
		return cmd, errors.Join(errNotFound, err)
	case errors.Is(err, fleet.ErrDisabled):
		return cmd, fmt.Errorf("%w: %w", invalid(msgCmdDisabled), err)
	case err == nil || errors.Is(err, fleet.ErrNotDelivered):
		s.changeEvent(r, EvDeviceCommand, id+" "+name+" "+cmd.CmdID)
	}
	return cmd, err
}

// commandRecords is the API form of d's commands.
func (d deviceData) commandRecords() []fleet.CommandRecord {
	out := make([]fleet.CommandRecord, len(d.Commands))
	for i, c := range d.Commands {
		out[i] = c.CommandRecord
	}
	return out
}
