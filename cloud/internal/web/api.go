package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/account"
	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/shared/wire"
)

//go:embed openapi.json
var openapiFS embed.FS

func (s *Server) apiRoutes(mux *http.ServeMux) {
	api := func(pattern, route string, p account.Permission, h http.HandlerFunc) {
		mux.Handle(pattern, s.instrument("api_"+route, s.authed(p, true, h)))
	}
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		b, _ := openapiFS.ReadFile("openapi.json")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	api("GET /api/v1/me", "me", "", s.apiMe)
	api("GET /api/v1/devices", "devices", account.ViewFleet, s.apiDevices)
	api("GET /api/v1/devices/{id}", "device", account.ViewFleet, s.apiDevice)
	api("PUT /api/v1/devices/{id}/config", "device_config", account.EditFleet, s.apiSetConfig)
	api("POST /api/v1/devices/{id}/commands", "device_command", account.EditFleet, s.apiCommand)
	api("POST /api/v1/devices/{id}/disable", "device_disable", account.EditFleet, s.apiEnable(false))
	api("POST /api/v1/devices/{id}/enable", "device_enable", account.EditFleet, s.apiEnable(true))
	api("GET /api/v1/operations", "operations", account.ViewOperations, s.apiOperations)
	api("GET /api/v1/operations/{id}", "operation", account.ViewOperations, s.apiOperation)
	api("GET /api/v1/tickets", "tickets", account.ViewTickets, s.apiTickets)
	api("GET /api/v1/tickets/{id}", "ticket", account.ViewTickets, s.apiTicket)
	api("POST /api/v1/tickets/{id}/status", "ticket_status", account.EditTickets, s.apiTicketStatus)
	api("GET /api/v1/fse-requests", "fse", account.ViewTickets, s.apiFSE)
	api("GET /api/v1/notifications", "notifications", account.ViewTickets, s.apiNotifications)
	api("GET /api/v1/audit/verify", "audit", account.ViewAudit, s.apiAudit)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// apiError is the body of every API error: a stable code for programs
// and the Italian sentence the console's pages show for the same kind of
// error. The internal error goes to the log only, with the request id the
// body gives when support needs it.
type apiError struct {
	Code      string `json:"code"`
	Error     string `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

// API error codes. They are stable: programs branch on them, never on the
// sentence.
const (
	codeInvalid         = "invalid_input"      // a parameter or field is not valid
	codeCursor          = "invalid_cursor"     // a page cursor the API did not give
	codeJSON            = "invalid_json"       // the body is not the JSON the operation takes
	codeStatus          = "invalid_status"     // a ticket status that does not exist
	codeTransition      = "status_not_allowed" // the ticket cannot go to that status now
	codeDisabled        = "device_disabled"    // the device is disabled: it takes no commands
	codeUnauthenticated = "unauthenticated"    // no session, or an expired one
	codeForbidden       = "forbidden"          // the role may not, or a cross-origin request
	codeNotFound        = "not_found"
	codeMethod          = "method_not_allowed"
	codeUnavailable     = "unavailable" // a part of the service is down; retry later
	codeInternal        = "internal"
)

// statusCode is the code of an error known only by its HTTP status.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return codeInvalid
	case http.StatusUnauthorized:
		return codeUnauthenticated
	case http.StatusForbidden:
		return codeForbidden
	case http.StatusNotFound:
		return codeNotFound
	case http.StatusMethodNotAllowed:
		return codeMethod
	case http.StatusServiceUnavailable:
		return codeUnavailable
	}
	return codeInternal
}

// errorCode is the code of err, answered with status.
func errorCode(err error, status int) string {
	switch {
	case errors.Is(err, ticket.ErrCursor), errors.Is(err, fse.ErrCursor), errors.Is(err, fleet.ErrCursor):
		return codeCursor
	case errors.Is(err, ticket.ErrTransition):
		return codeTransition
	case errors.Is(err, ticket.ErrStatus):
		return codeStatus
	case errors.Is(err, fleet.ErrDisabled):
		return codeDisabled
	}
	return statusCode(status)
}

// writeJSONError answers an error whose code follows from its status.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Code: statusCode(status), Error: msg})
}

// badJSON is what the API says of a body it cannot decode.
const badJSON = "Il corpo della richiesta non è un JSON valido per questa operazione: controllare la sintassi e i nomi dei campi."

// apiBadJSON answers a body that does not decode; the decoder's detail
// goes to the log.
func (s *Server) apiBadJSON(w http.ResponseWriter, r *http.Request, err error) {
	s.log.InfoContext(r.Context(), "api request refused", "method", r.Method, "path", r.URL.Path, "status", http.StatusBadRequest, "err", err)
	writeJSON(w, http.StatusBadRequest, apiError{Code: codeJSON, Error: badJSON})
}

// apiFail answers an API request that failed as the pages do (explain):
// the same status and Italian sentence, plus a code; the error itself is
// logged with a request id, which the body gives for the errors support
// has to look up.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ticket.ErrCursor) || errors.Is(err, fse.ErrCursor) {
		err = fmt.Errorf("%w: %w", invalid(badCursor), err)
	}
	f, id := explain(err), requestID()
	s.log.Log(r.Context(), f.level, "api request failed", "request_id", id, "method", r.Method,
		"path", r.URL.Path, "status", f.status, "err", err)
	body := apiError{Code: errorCode(err, f.status), Error: f.msg}
	if f.showsRequest {
		body.RequestID = id
	}
	writeJSON(w, f.status, body)
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]string{"username": sess.Username, "display_name": sess.DisplayName,
		"role": string(sess.Role), "csrf_token": sess.CSRF})
}

func (s *Server) apiDevices(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	f := DeviceFilter{Presence: v.Get("presence"), Problems: v.Get("problems") == "true", Firmware: v.Get("firmware"), Site: v.Get("site"),
		Enabled: v.Get("enabled"), OutOfSync: v.Get("out_of_sync") == "true", Search: strings.TrimSpace(v.Get("q"))}
	if _, err := strconv.ParseBool(f.Enabled); f.Enabled != "" && err != nil {
		s.apiFail(w, r, fmt.Errorf("%w: enabled %q", invalid("Il filtro enabled accetta solo true o false."), f.Enabled))
		return
	}
	devs, next, err := s.listDevices(r.Context(), f, v.Get("after"), apiLimit(v.Get("limit"), 1000, 5000))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": nonNil(devs), "next": next})
}

func (s *Server) apiDevice(w http.ResponseWriter, r *http.Request) {
	before, err := healthCursor(r.URL.Query().Get("health_before"))
	var d deviceData
	if err == nil {
		d, err = s.deviceDetail(r.Context(), r.PathValue("id"), before)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"device": d.D.Device, "health": nonNil(d.Health), "health_next": d.HealthNext, "config": d.Config, "commands": nonNil(d.commandRecords()),
		"config_history": nonNil(d.Changes)})
}

func (s *Server) apiSetConfig(w http.ResponseWriter, r *http.Request) {
	var c wire.Config
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		s.apiBadJSON(w, r, err)
		return
	}
	id := r.PathValue("id")
	nc, err := s.changeConfig(r, id, c)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nc)
}

// CommandSent is the answer to POST /api/v1/devices/{id}/commands.
type CommandSent struct {
	Device    string `json:"device"`
	CmdID     string `json:"cmd_id"`
	Name      string `json:"name"`
	Expires   string `json:"expires"`
	Delivered bool   `json:"delivered"` // false: recorded, the broker could not take it now
}

func (s *Server) apiCommand(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.apiBadJSON(w, r, err)
		return
	}
	id := r.PathValue("id")
	cmd, err := s.sendCommand(r, id, in.Name)
	if err != nil && !errors.Is(err, fleet.ErrNotDelivered) {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, CommandSent{Device: id, CmdID: cmd.CmdID, Name: cmd.Name,
		Expires: cmd.Expires.Format(time.RFC3339), Delivered: err == nil})
}

func (s *Server) apiOperations(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := OpQuery{CF: strings.ToUpper(v.Get("cf")), TEAM: v.Get("team"), Device: v.Get("device"), Operator: strings.ToUpper(v.Get("operator")),
		Outcome: v.Get("outcome"), From: v.Get("from"), To: v.Get("to"), Before: v.Get("before"),
		Limit: apiLimit(v.Get("limit"), opPageSize, 1000)}
	ops, next, err := s.searchOperations(r.Context(), q)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"operations": nonNil(ops), "next": next})
}

// apiTickets pages the help-desk tickets oldest first, as the queue page
// does: queue, status (a comma-separated list; empty is every status), cf,
// team, the cursor after and limit.
func (s *Server) apiTickets(w http.ResponseWriter, r *http.Request) {
	q, err := apiTicketQuery(r.URL.Query())
	var ts []ticket.Ticket
	var next string
	if err == nil {
		ts, next, err = ticket.Page(r.Context(), s.db.SQL(), q)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": nonNil(ts), "next": next})
}

func apiTicketQuery(v url.Values) (ticket.Query, error) {
	q := ticket.Query{Queue: ticket.Queue(v.Get("queue")), After: v.Get("after"), Limit: apiLimit(v.Get("limit"), ticket.PageSize, 1000)}
	if q.Queue != "" && !q.Queue.Valid() {
		return q, fmt.Errorf("%w: queue %q", invalid("La coda indicata non esiste: scegliere L1 o L2."), q.Queue)
	}
	for st := range strings.SplitSeq(v.Get("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		if !ticket.Status(st).Valid() {
			return q, fmt.Errorf("%w: status %q", invalid("Lo stato indicato per il filtro non esiste."), st)
		}
		q.Statuses = append(q.Statuses, ticket.Status(st))
	}
	var err error
	if q.CF, err = searchField(v, "cf"); err == nil {
		q.TEAM, err = searchField(v, "team")
	}
	return q, err
}

func (s *Server) apiTicket(w http.ResponseWriter, r *http.Request) {
	t, tasks, evs, err := ticket.Get(r.Context(), s.db.SQL(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": t, "tasks": nonNil(tasks), "events": nonNil(evs)})
}

func (s *Server) apiTicketStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<14)).Decode(&body); err != nil {
		s.apiBadJSON(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := s.setTicketStatus(r, id, ticket.Status(body.Status), sessionFrom(r.Context()).Username, body.Note); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiTicket(w, r)
}

// apiFSE pages the FSE creation requests newest first, as the /fse page
// does: status, cf, team, the cursor before and limit.
func (s *Server) apiFSE(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := fse.Query{Status: v.Get("status"), Before: v.Get("before"), Limit: apiLimit(v.Get("limit"), fse.PageSize, 1000)}
	var err error
	if q.Status != "" && !slices.Contains(fse.Statuses, q.Status) {
		err = fmt.Errorf("%w: status %q", invalid("Lo stato indicato per il filtro non esiste."), q.Status)
	}
	if err == nil {
		q.CF, err = searchField(v, "cf")
	}
	if err == nil {
		q.TEAM, err = searchField(v, "team")
	}
	var reqs []FSERequest
	var next string
	if err == nil {
		reqs, next, err = fse.List(r.Context(), s.db.SQL(), q)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fse_requests": nonNil(reqs), "next": next})
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	rep, err := audit.Verify(r.Context(), s.db.SQL(), s.db.Dialect())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": rep.OK(), "report": rep})
}

// apiLimit parses a page size: def when empty or not a number, capped at max.
func apiLimit(v string, def, max int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
