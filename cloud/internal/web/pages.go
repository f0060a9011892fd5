package web

import (
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"time"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/shared/outcome"
)

type opsData struct {
	Q        OpQuery
	Ops      []Operation
	Outcomes []outcome.Code
	Searched bool
	Pages    pager
}

func (s *Server) operationsPage(w http.ResponseWriter, r *http.Request) {
	q := opQueryFrom(r.URL.Query())
	d := opsData{Q: q, Outcomes: outcome.All(), Searched: !q.empty()}
	ops, next, err := s.searchOperations(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Ops, d.Pages = ops, newPager("/operazioni", r.URL.Query(), "prima", q.Before, next)
	s.render(w, http.StatusOK, "operations", view{Title: "Operazioni", Nav: "ops", Sess: sessionFrom(r.Context()), Data: d})
}

type ticketData struct {
	T      ticket.Ticket
	Tasks  []ticket.Task
	Events []ticket.Event
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) {
	t, tasks, evs, err := ticket.Get(r.Context(), s.db.SQL(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "ticket", view{Title: "Ticket " + t.ID, Nav: "tickets", Sess: sessionFrom(r.Context()),
		Flash: flash(r), Data: ticketData{t, tasks, evs}})
}

func (s *Server) ticketStatusPost(w http.ResponseWriter, r *http.Request) {
	id, sess := r.PathValue("id"), sessionFrom(r.Context())
	err := s.setTicketStatus(r, id, ticket.Status(r.PostFormValue("stato")), sess.Username, r.PostFormValue("nota"))
	if errors.Is(err, ticket.ErrStatus) || errors.Is(err, ticket.ErrTransition) {
		err = errors.Join(ErrBadInput, err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/ticket/"+url.PathEscape(id)+"?ok=stato", http.StatusSeeOther)
}

func (s *Server) setTicketStatus(r *http.Request, id string, to ticket.Status, actor, note string) error {
	if len(note) > 1000 {
		return invalid("La nota non può superare i 1000 caratteri.")
	}
	return s.db.InTx(r.Context(), func(tx *sql.Tx) error {
		return ticket.SetStatusTx(r.Context(), tx, id, to, actor, note, s.o.Now())
	})
}

type auditData struct {
	Ran    bool
	Report audit.Report
	Took   time.Duration
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	d := auditData{Ran: r.URL.Query().Get("verifica") == "1"}
	if d.Ran {
		start := time.Now()
		rep, err := audit.Verify(r.Context(), s.db.SQL(), s.db.Dialect())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Report, d.Took = rep, time.Since(start).Round(time.Millisecond)
	}
	s.render(w, http.StatusOK, "audit", view{Title: "Verifica audit", Nav: "audit", Sess: sessionFrom(r.Context()), Data: d})
}

// warning is the notice of an action that was recorded but did not fully
// succeed.
func warning(r *http.Request) string {
	if r.URL.Query().Get("warn") == "comando" {
		return "Comando registrato ma non consegnato: il servizio non riesce ora a passarlo al broker MQTT e non lo ritrasmetterà. Inviarlo di nuovo tra qualche minuto."
	}
	return ""
}

func flash(r *http.Request) string {
	switch r.URL.Query().Get("ok") {
	case "stato":
		return "Stato aggiornato."
	case "config":
		return "Configurazione salvata e inviata al dispositivo."
	case "comando":
		return "Comando inviato."
	case "disattivato":
		return "Dispositivo disattivato: la connessione è stata chiusa."
	case "attivato":
		return "Dispositivo riattivato."
	case "password":
		return "Password cambiata. Le altre sessioni sono state chiuse."
	}
	return ""
}
