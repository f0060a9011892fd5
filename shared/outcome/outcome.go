package outcome

// Code is the outcome of one operation. Every operation ends in exactly one.
type Code string

// The outcome codes.
const (
	Applied                Code = "applied"
	Duplicate              Code = "duplicate"
	Malformed              Code = "malformed"
	InvalidCF              Code = "invalid_cf"
	InvalidTEAM            Code = "invalid_team"
	InvalidExpiry          Code = "invalid_expiry"
	InvalidDocument        Code = "invalid_document"
	InvalidContact         Code = "invalid_contact"
	CardNotFound           Code = "card_not_found"
	CardDataMismatch       Code = "card_data_mismatch"
	CardExpired            Code = "card_expired"
	CardRevoked            Code = "card_revoked"
	CardAlreadyActive      Code = "card_already_active"
	CardNotActive          Code = "card_not_active"
	RegistryDataWrong      Code = "registry_data_wrong"
	SuspensionNotAllowed   Code = "suspension_not_allowed"
	ReactivationNotAllowed Code = "reactivation_not_allowed"
	CounterNotEnabled      Code = "counter_not_enabled"
	RequesterNotAllowed    Code = "requester_not_allowed"
	HolderNotMinor         Code = "holder_not_minor"
	PaymentMissing         Code = "payment_missing"
	ConsentsIncomplete     Code = "consents_incomplete"
	OperatorNotAuthorised  Code = "operator_not_authorised"
	Abandoned              Code = "abandoned"

	// Added by this project (procedures.md allows new codes).
	CardReplaced       Code = "card_replaced"       // the card was replaced by a reissued one
	DeclarationMissing Code = "declaration_missing" // parent/tutor/curator without the signed self-declaration
	DeviceUnknown      Code = "device_unknown"      // the sending device is not registered or is disabled
	CounterMismatch    Code = "counter_mismatch"    // the body names a counter other than the device's registered one
	DeadlineExceeded   Code = "deadline_exceeded"   // an rpc arrived after its deadline
	Internal           Code = "internal_error"      // the cloud failed; the kiosk retries later
)

var messages = map[Code]string{
	Applied:                "Operazione eseguita.",
	Duplicate:              "Operazione già registrata: viene mostrato l'esito originale.",
	Malformed:              "Richiesta non valida: dati incompleti o non leggibili.",
	InvalidCF:              "Codice fiscale non valido: controllare i caratteri inseriti.",
	InvalidTEAM:            "Codice TEAM non valido: controllare le 20 cifre sul retro della tessera.",
	InvalidExpiry:          "Data di scadenza non valida.",
	InvalidDocument:        "Documento di identità mancante, incompleto o scaduto.",
	InvalidContact:         "Indirizzo e-mail o numero di cellulare non valido.",
	CardNotFound:           "Nessuna carta trovata con questi codice fiscale, codice TEAM e data di scadenza.",
	CardDataMismatch:       "Codice fiscale, codice TEAM e data di scadenza non appartengono alla stessa carta.",
	CardExpired:            "La carta è scaduta e non può essere usata per questa operazione.",
	CardRevoked:            "La carta è stata revocata e non può essere usata.",
	CardAlreadyActive:      "La carta è già attiva.",
	CardNotActive:          "La carta non è attiva: prima è necessario attivarla.",
	RegistryDataWrong:      "I dati anagrafici non coincidono: la carta non viene attivata. Il cittadino deve recarsi allo sportello competente / Scelta e Revoca della propria ASL.",
	SuspensionNotAllowed:   "Le CNS non possono più essere sospese.",
	ReactivationNotAllowed: "Le CNS non possono essere riattivate.",
	CounterNotEnabled:      "Questo sportello non è abilitato all'operazione richiesta (riemissione solo presso sportelli aziendali abilitati).",
	RequesterNotAllowed:    "Il richiedente non è autorizzato per questa operazione (per esempio la riemissione può essere chiesta solo dal titolare o dal genitore, tutore o curatore, non da un delegato).",
	HolderNotMinor:         "Il titolare è maggiorenne: la potestà parentale non si applica.",
	PaymentMissing:         "Pagamento del lettore di smart card non confermato o inferiore al prezzo previsto.",
	ConsentsIncomplete:     "Consensi FSE mancanti o non conformi alla normativa in vigore.",
	OperatorNotAuthorised:  "Operatore non autorizzato per questo sportello o per questa funzione.",
	Abandoned:              "Procedura interrotta prima della conferma: nessuna modifica effettuata.",
	CardReplaced:           "La carta è stata sostituita da una nuova carta.",
	DeclarationMissing:     "Manca la dichiarazione sostitutiva firmata dal genitore, tutore o curatore.",
	DeviceUnknown:          "Postazione non registrata o disabilitata.",
	CounterMismatch:        "La postazione non è registrata per questo sportello: contattare l'assistenza.",
	DeadlineExceeded:       "Tempo scaduto: riprovare.",
	Internal:               "Errore temporaneo del sistema: riprovare tra poco.",
}

// Message returns the Italian message for the operator.
func (c Code) Message() string {
	if m, ok := messages[c]; ok {
		return m
	}
	return "Esito sconosciuto: " + string(c)
}

// Known reports whether c is a defined code.
func (c Code) Known() bool { _, ok := messages[c]; return ok }

// All returns every defined code.
func All() []Code {
	out := make([]Code, 0, len(messages))
	for c := range messages {
		out = append(out, c)
	}
	return out
}
