package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// SMSGateway sends SMS through an HTTP gateway: POST URL with
// {"to":"+39...","text":"...","ref":"<notification id>"} and, when Token is
// set, "Authorization: Bearer <token>". The gateway should drop a second
// message with the same ref. Answers:
//
//	2xx                  accepted
//	409                  the gateway already has a message with this ref:
//	                     an earlier try was accepted (a send timeout, a
//	                     lost lease or a crash made the worker send again),
//	                     so it counts as sent
//	400, 422             the number or text is refused: permanent (ErrPermanent)
//	401, 407             our token (or proxy credentials) is refused: every
//	                     message would be; ErrSenderConfig (an alert, not
//	                     counted as an attempt)
//	other 4xx, 5xx, ...  temporary: retried, counted as an attempt
//
// Gateways answer 403, 404 or 413 for one number or one text as
// well (a number barred or unknown to the operator, a text
// too long for the account): nothing in the status tells that apart from
// a fault of ours, so they are counted like any temporary failure, and a
// notice they keep refusing fails after MaxAttempts with a ticket. A
// wrong URL (404 on every request) thus fails notices after MaxAttempts
// with a ticket each rather than keeping them.
type SMSGateway struct {
	URL    string
	Token  string
	Client *http.Client
}

// SMSRequest is the body the gateway receives.
type SMSRequest struct {
	To   string `json:"to"`
	Text string `json:"text"`
	Ref  string `json:"ref"`
}

// Send implements Sender.
func (g SMSGateway) Send(ctx context.Context, m Message) error {
	to := normalisePhone(m.To)
	if to == "" {
		return fmt.Errorf("%w: bad phone number", ErrPermanent)
	}
	b, _ := json.Marshal(SMSRequest{To: to, Text: m.Body, Ref: m.ID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("notify: sms request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	cl := g.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	res, err := cl.Do(req)
	if err != nil {
		return fmt.Errorf("notify: sms gateway: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	return smsStatus(res.StatusCode)
}

// smsStatus maps a gateway answer to nil, ErrPermanent, ErrSenderConfig
// or a plain (temporary) error.
func smsStatus(code int) error {
	switch {
	case code/100 == 2, code == http.StatusConflict:
		// 409: this ref was accepted before; sending it again would be
		// refused for ever, and the citizen has the message.
		return nil
	case code == http.StatusBadRequest, code == http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: sms gateway refused the message: HTTP %d", ErrPermanent, code)
	case code == http.StatusUnauthorized, code == http.StatusProxyAuthRequired:
		return fmt.Errorf("%w: sms gateway refused our credentials: HTTP %d", ErrSenderConfig, code)
	}
	return fmt.Errorf("notify: sms gateway HTTP %d", code)
}

// normalisePhone returns an E.164 number (+39 added to a bare Italian
// mobile number), or "" when s is not a phone number.
func normalisePhone(s string) string {
	s = strings.NewReplacer(" ", "", "-", "", ".", "").Replace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		s = "+39" + s
	}
	if len(s) < 8 || len(s) > 16 {
		return ""
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return s
}
