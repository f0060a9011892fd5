package rules

import (
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var (
	anyRole    = []wire.Role{wire.RoleHolder, wire.RoleDelegate, wire.RoleParent, wire.RoleTutor, wire.RoleCurator}
	noDelegate = []wire.Role{wire.RoleHolder, wire.RoleParent, wire.RoleTutor, wire.RoleCurator}
)

// decideActivation: procedures 1 (direct, delegated) and 2 (parent,
// tutor, curator with the self-declaration).
func decideActivation(in Input, b wire.Activation) Decision {
	if d, bad := firstFail(operatorOK(in), cardCodes(in, b.Card), found(in, b.Card),
		inState(in, NotActive), notExpired(in),
		requester(in, b.Requester, &b.Declaration, anyRole...), document(in, b.Document),
		contact(&b.Delivery), payment(in, b.Reader, false), consents(in, b.FSE)); bad {
		return d
	}
	e := Effects{State: Active, ReplaceOld: true,
		Notify: &Notification{Kind: NotifySecondHalves, Delivery: b.Delivery}}
	if b.Reader != nil {
		e.AddReaders = 1
	}
	if b.FSE != nil {
		e.Consents, e.FSERequest = b.FSE, true
	}
	return apply("card activated ("+string(b.Requester.Role)+")", e)
}

// decideFSE: procedure 3, consents and FSE creation on an active card.
func decideFSE(in Input, b wire.FSEConsent) Decision {
	if d, bad := firstFail(operatorOK(in), cardCodes(in, b.Card), found(in, b.Card),
		inState(in, Active), notExpired(in), requester(in, b.Requester, nil, anyRole...),
		consents(in, &b.Consents)); bad {
		return d
	}
	return apply("FSE consents recorded", Effects{Consents: &b.Consents, FSERequest: true})
}

// decideReissue: procedure 6, only at enabled counters, only the holder
// or a parent/tutor/curator; theft and loss revoke the old card now.
func decideReissue(in Input, b wire.Reissue) Decision {
	if d, bad := firstFail(operatorOK(in), counterCan(in, CapReissue), cardCodes(in, b.Card),
		found(in, b.Card), inState(in, NotActive, Active), notExpired(in),
		requester(in, b.Requester, nil, noDelegate...), document(in, b.Document), contact(b.Notify)); bad {
		return d
	}
	e := Effects{Reissue: &b}
	if b.Reason == wire.ReasonTheft || b.Reason == wire.ReasonLoss {
		e.State = Revoked
	}
	if b.Notify != nil {
		e.Notify = &Notification{Kind: NotifyReissueNotice, Delivery: *b.Notify}
	}
	return apply("reissue requested: "+string(b.Reason), e)
}

func counterCan(in Input, c Capability) check {
	return func() (outcome.Code, string) {
		if !in.Counter.Can(c) {
			return outcome.CounterNotEnabled, "counter " + in.Counter.ID + " lacks " + string(c)
		}
		return "", ""
	}
}

// decideReprint: procedure 7, only for an active card.
func decideReprint(in Input, b wire.PinReprint) Decision {
	if d, bad := firstFail(operatorOK(in), cardCodes(in, b.Card), found(in, b.Card),
		inState(in, Active), notExpired(in), requester(in, b.Requester, nil, anyRole...),
		document(in, b.Document), contact(&b.Delivery)); bad {
		return d
	}
	return apply("PIN/PUK reprinted", Effects{Notify: &Notification{Kind: NotifySecondHalves, Delivery: b.Delivery}})
}

// decideRevocation: procedure 8, by TEAM, irreversible.
func decideRevocation(in Input, b wire.Revocation) Decision {
	if d, bad := firstFail(operatorOK(in), foundTEAM(in, b.TEAM), inState(in, NotActive, Active),
		requester(in, b.Requester, nil, anyRole...), document(in, b.Document)); bad {
		return d
	}
	return apply("card revoked", Effects{State: Revoked})
}

// decideReader: procedure 9, a paid reader increments the card's counter.
func decideReader(in Input, b wire.ReaderRequest) Decision {
	if d, bad := firstFail(operatorOK(in), cardCodes(in, b.Card), found(in, b.Card),
		inState(in, NotActive, Active), notExpired(in), requester(in, b.Requester, nil, anyRole...),
		payment(in, b.Payment, true)); bad {
		return d
	}
	return apply("reader sold", Effects{AddReaders: 1})
}

// decideRegistry: procedure 10, nothing activated, the case is recorded.
func decideRegistry(in Input, b wire.RegistryDataWrong) Decision {
	if d, bad := firstFail(operatorOK(in), cardCodes(in, b.Card), found(in, b.Card)); bad {
		return d
	}
	return Decision{Code: outcome.RegistryDataWrong, Detail: "registry data wrong: case recorded",
		Effects: Effects{RegistryCase: &b}}
}
