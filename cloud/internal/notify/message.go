package notify

import (
	"context"
	"fmt"
	"log/slog"

	"cnskiosk.dev/cloud/internal/vault"
)

// Message is one notification ready to send. Body may hold secrets: the
// String and LogValue methods print only the id, kind and channel.
type Message struct {
	ID      string // notification id: idempotency key for the receiver
	Kind    string // second_halves or reissue_notice
	Channel string // email or sms
	To      string
	Subject string
	Body    string
}

// String redacts the body.
func (m Message) String() string {
	return fmt.Sprintf("notify.Message{%s %s %s}", m.ID, m.Kind, m.Channel)
}

// LogValue redacts the body and the address.
func (m Message) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", m.ID), slog.String("kind", m.Kind), slog.String("channel", m.Channel))
}

// Sender delivers a message on one channel.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Flusher is implemented by a Sender that may hold messages back after
// Send returns and deliver them together, as http.Flusher is by a
// ResponseWriter that buffers: one write or request for a batch instead
// of one per message.
//
// The worker calls Flush after the sends of a batch, once per sender that
// accepted a message in it, and records a message sent only after Flush
// returned nil: Flush must return nil only when every message its Send
// accepted since the last Flush is where the sender delivers it. When it
// fails, the worker treats those messages as not sent (like a Send that
// failed with the same error: retried, or failed for good with
// ErrPermanent), so the sender should drop what it holds rather than
// deliver it later, which would send it twice. Senders without Flush
// deliver in Send, and the worker records them as it always has. The
// error is kept in the notice's last_error and logged: it must carry no
// message body.
type Flusher interface {
	Flush(ctx context.Context) error
}

// Kinds of notification.
const (
	KindSecondHalves  = "second_halves"
	KindReissueNotice = "reissue_notice"
)

func secondHalvesText(team string, h vault.Halves) (subject, body string) {
	subject = "Tessera Sanitaria: seconda parte di PIN e PUK"
	body = fmt.Sprintf("Gentile cittadino,\n"+
		"ecco la seconda parte dei codici della sua Tessera Sanitaria - CNS n. %s.\n\n"+
		"Seconda parte del PIN: %s\nSeconda parte del PUK: %s\n\n"+
		"La prima parte e' stampata sul modulo che ha ricevuto allo sportello.\n"+
		"Non comunichi questi codici a nessuno. Questo messaggio e' stato inviato automaticamente.\n",
		team, h.PIN, h.PUK)
	return subject, body
}

func smsSecondHalves(h vault.Halves) string {
	return fmt.Sprintf("Tessera Sanitaria: seconda parte PIN %s, PUK %s. La prima parte e' sul modulo dello sportello. Non comunicarli a nessuno.", h.PIN, h.PUK)
}

func reissueText(team string) (subject, body string) {
	subject = "Tessera Sanitaria: richiesta di riemissione registrata"
	body = fmt.Sprintf("Gentile cittadino,\nla richiesta di riemissione della sua Tessera Sanitaria - CNS n. %s "+
		"e' stata registrata. Ricevera' la nuova tessera all'indirizzo di residenza.\n", team)
	return subject, body
}
