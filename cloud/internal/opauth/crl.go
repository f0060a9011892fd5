package opauth

import "time"

// checkCRLs counts the operator CRLs past their NextUpdate (gauge
// cms_opauth_crl_stale) and logs a WARN the first time each is seen
// stale. A stale CRL is still applied: the cards it lists stay refused,
// but one revoked since it was issued is not known, so cmsd needs the
// issuer's newer CRL. A CRL without NextUpdate is never stale.
func (a *Auth) checkCRLs() {
	now := a.opts.Now()
	stale := 0
	for _, crl := range a.opts.CRLs {
		if crl.NextUpdate.IsZero() || !now.After(crl.NextUpdate) {
			continue
		}
		stale++
		if _, seen := a.warned.LoadOrStore(crl, struct{}{}); !seen {
			a.log.Warn("operator CRL is past its next update: revocations since are not known; install the issuer's newer CRL",
				"issuer", crl.Issuer.String(), "number", crl.Number, "next_update", crl.NextUpdate.UTC().Format(time.RFC3339))
		}
	}
	if a.stale != nil {
		a.stale.Set(float64(stale))
	}
}
