package cns

import "errors"

// Sentinel errors, wrapped with %w by the functions of this package.
var (
	ErrNotCNS         = errors.New("cns: not a CNS card (no \"CNS\" in the ATR historical bytes)")
	ErrBadATR         = errors.New("cns: malformed ATR")
	ErrMalformed      = errors.New("cns: malformed EF.Dati_personali")
	ErrTooLarge       = errors.New("cns: file larger than allowed")
	ErrBadIDCarta     = errors.New("cns: malformed EF.ID_Carta")
	ErrBadCertificate = errors.New("cns: malformed EF.C_Carta certificate")
	ErrBadPINFormat   = errors.New("cns: PIN must be 5 to 8 digits")
	ErrWrongPIN       = errors.New("cns: wrong PIN")
	ErrPINBlocked     = errors.New("cns: PIN blocked")
	ErrWrongPUK       = errors.New("cns: wrong PUK")
	ErrPUKBlocked     = errors.New("cns: PUK blocked")
	ErrBadPersonal    = errors.New("cns: invalid personal data")
	ErrNotRSA         = errors.New("cns: certificate key is not RSA")
	ErrBadSignature   = errors.New("cns: card signature has the wrong length")
)
