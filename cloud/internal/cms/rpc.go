package cms

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// findCard runs the operator check, the code checks and the card lookup
// shared by the rpcs. menu "" accepts any menu of the session.
func (e *Engine) findCard(ctx context.Context, dev, menu string, o wire.Operator, ref wire.CardRef) (*cardRow, outcome.Code, error) {
	now := e.opts.Now()
	counter, err := e.counterOf(ctx, dev)
	if err != nil {
		return nil, "", err
	}
	code, detail, err := operator.Check(ctx, e.db.SQL(), operator.Query{OperatorCF: o.CF, Session: o.Session,
		Device: dev, Counter: counter, Menu: menu, At: now, RequireSession: e.opts.RequireSession})
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrStore, err)
	}
	if code != outcome.Applied {
		e.log.InfoContext(ctx, "rpc: operator refused", "dev", dev, "detail", detail)
		return nil, code, nil
	}
	card, err := e.loadCard(ctx, e.db.SQL(), ref.TEAM, false)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrStore, err)
	}
	in := rules.Input{Now: now, Card: nil, Operator: outcome.Applied}
	known := false
	if card == nil {
		if known, err = cfKnown(ctx, e.db.SQL(), rules.NormCF(ref.CF)); err != nil {
			return nil, "", fmt.Errorf("%w: %w", ErrStore, err)
		}
	} else {
		in.Card = &card.Card
	}
	in.CFKnown = known
	if c := rules.CheckCardRef(in, ref); c != outcome.Applied {
		return nil, c, nil
	}
	return card, outcome.Applied, nil
}

// LookupCard returns the holder data the CMS shows the operator for ID2.
// Every answer, refusals included, leaves an audit record.
func (e *Engine) LookupCard(ctx context.Context, dev string, p wire.CardLookupParams) (wire.CardLookupResult, outcome.Code, error) {
	card, code, err := e.findCard(ctx, dev, "", p.Operator, p.Card)
	if err == nil {
		err = e.auditRPC(ctx, dev, p.Operator.CF, p.Card, ActionCardLookup, "", code)
	}
	if err != nil || code != outcome.Applied {
		return wire.CardLookupResult{}, code, err
	}
	return wire.CardLookupResult{Surname: card.Surname, Name: card.Name, BirthDate: card.BirthDate,
		Sex: card.Sex, BirthPlace: card.BirthPlace, State: string(card.State),
		Minor: card.MinorOn(rules.Today(e.opts.Now())), Expiry: card.Expiry, Readers: card.Readers}, outcome.Applied, nil
}

// PinHalves returns the first halves of the card's PIN and PUK, for the
// kiosk to print: for activation the card must not be active yet, for a
// reprint it must be active; in both cases not expired. The result is a
// secret: it is never logged nor audited; the release itself, refusals
// included, leaves an audit record.
func (e *Engine) PinHalves(ctx context.Context, dev string, p wire.PinHalvesParams) (wire.PinHalvesResult, outcome.Code, error) {
	res, code, err := e.pinHalves(ctx, dev, p)
	if err != nil {
		return wire.PinHalvesResult{}, "", err
	}
	if err := e.auditRPC(ctx, dev, p.Operator.CF, p.Card, ActionPinHalves, string(p.Purpose), code); err != nil {
		return wire.PinHalvesResult{}, "", err
	}
	return res, code, nil
}

// auditRPC appends the audit record of an rpc answered with code.
func (e *Engine) auditRPC(ctx context.Context, dev, operatorCF string, ref wire.CardRef, action, purpose string, code outcome.Code) error {
	counter, err := e.counterOf(ctx, dev)
	if err != nil {
		return err
	}
	card := ref.TEAM
	if card == "" {
		card = rules.NormCF(ref.CF)
	}
	return e.auditAlone(ctx, rpcRecord(dev, counter, operatorCF, card, action, purpose, code))
}

func (e *Engine) pinHalves(ctx context.Context, dev string, p wire.PinHalvesParams) (wire.PinHalvesResult, outcome.Code, error) {
	want := map[wire.Type]rules.State{wire.OpActivation: rules.NotActive, wire.OpPinReprint: rules.Active}
	state, ok := want[p.Purpose]
	if !ok {
		return wire.PinHalvesResult{}, outcome.Malformed, nil
	}
	card, code, err := e.findCard(ctx, dev, string(p.Purpose), p.Operator, p.Card)
	if err != nil || code != outcome.Applied {
		return wire.PinHalvesResult{}, code, err
	}
	if c := rules.CheckState(card.Card, state, e.opts.Now()); c != outcome.Applied {
		return wire.PinHalvesResult{}, c, nil
	}
	if e.vault == nil {
		return wire.PinHalvesResult{}, "", fmt.Errorf("%w: no vault configured", ErrSecrets)
	}
	var s vault.Sealed
	err = e.db.SQL().QueryRowContext(ctx, `SELECT key_id, nonce, sealed FROM card_secrets WHERE team = $1`, card.TEAM).
		Scan(&s.KeyID, &s.Nonce, &s.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return wire.PinHalvesResult{}, "", fmt.Errorf("%w: none stored for card %s", ErrSecrets, card.TEAM)
	}
	if err != nil {
		return wire.PinHalvesResult{}, "", fmt.Errorf("%w: %w", ErrStore, err)
	}
	secrets, err := e.vault.Open(card.TEAM, s)
	if err != nil {
		return wire.PinHalvesResult{}, "", fmt.Errorf("%w: card %s: %w", ErrSecrets, card.TEAM, err)
	}
	first, _ := e.opts.Split.Split(secrets)
	return wire.PinHalvesResult{PinFirst: first.PIN, PukFirst: first.PUK}, outcome.Applied, nil
}
