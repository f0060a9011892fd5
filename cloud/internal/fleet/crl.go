package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/pki"
)

// CRLValidity is how long a generated CRL is valid. Past its NextUpdate
// OpenSSL (hence Mosquitto) refuses every client, so the CRL must be
// regenerated within this time (`cmsctl devices crl`, or any disable or
// enable, rewrites it).
const CRLValidity = 30 * 24 * time.Hour

// CRLEntries lists the unexpired certificates an external broker must
// refuse: revoked ones, and those of disabled devices (on hold, so that
// enabling the device takes them off the next CRL).
func (f *Fleet) CRLEntries(ctx context.Context) ([]pki.Revoked, error) {
	now := micros(f.now())
	rows, err := f.db.SQL().QueryContext(ctx, `SELECT c.serial, COALESCE(c.revoked_at, 0), COALESCE(d.enabled, 1)
		FROM fleet_certs c LEFT JOIN devices d ON d.id = c.cn
		WHERE c.not_after > $1 AND (c.revoked_at IS NOT NULL OR (c.role = 'device' AND d.enabled = 0))
		ORDER BY c.serial`, now)
	if err != nil {
		return nil, fmt.Errorf("fleet: crl: %w", err)
	}
	defer rows.Close()
	var out []pki.Revoked
	for rows.Next() {
		var r pki.Revoked
		var at int64
		var enabled int
		if err := rows.Scan(&r.Serial, &at, &enabled); err != nil {
			return nil, fmt.Errorf("fleet: crl: %w", err)
		}
		r.Hold = at == 0
		if r.Hold {
			at = now
		}
		r.At = time.UnixMicro(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// WriteCRL writes the fleet's current CRL, signed by ca, to path.
func (f *Fleet) WriteCRL(ctx context.Context, ca *pki.CA, path string) (int, error) {
	rs, err := f.CRLEntries(ctx)
	if err != nil {
		return 0, err
	}
	return len(rs), f.WriteCRLOf(ca, rs, path)
}

// WriteCRLOf writes a CRL of rs (as returned by CRLEntries), signed by ca
// and valid CRLValidity, to path.
func (f *Fleet) WriteCRLOf(ca *pki.CA, rs []pki.Revoked, path string) error {
	now := f.now()
	crl, err := ca.CRL(rs, now.UnixMicro(), now, CRLValidity)
	if err != nil {
		return err
	}
	return pki.WriteCRL(path, crl)
}

// CRLKey identifies the content of a CRL of rs apart from the time it is
// signed: two lists with the same key refuse the same certificates.
func CRLKey(rs []pki.Revoked) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Serial)
		if r.Hold {
			b.WriteString(":hold;")
		} else {
			fmt.Fprintf(&b, ":%d;", r.At.UnixMicro())
		}
	}
	return b.String()
}
