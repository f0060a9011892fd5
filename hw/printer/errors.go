package printer

import "errors"

// Errors of the printer. Wrapped with detail; test with errors.Is.
var (
	ErrPaperOut      = errors.New("printer: paper end")
	ErrPaperNearEnd  = errors.New("printer: paper near end")
	ErrCoverOpen     = errors.New("printer: cover open")
	ErrOffline       = errors.New("printer: offline")
	ErrCutter        = errors.New("printer: cutter error")
	ErrUnrecoverable = errors.New("printer: unrecoverable error")
	ErrRecoverable   = errors.New("printer: auto-recoverable error")
	ErrTimeout       = errors.New("printer: no answer")
	ErrBadStatus     = errors.New("printer: malformed status byte")
	ErrIncomplete    = errors.New("printer: receipt may be incomplete")
	ErrAddress       = errors.New("printer: bad address")
	ErrUnsupported   = errors.New("printer: not supported on this system")
	ErrClosed        = errors.New("printer: closed")
)

// messages are for the operator, in Italian, in the order Message tries them.
var messages = []struct {
	err error
	msg string
}{
	{ErrIncomplete, "La stampa potrebbe essere incompleta: controllare la ricevuta e ristamparla."},
	{ErrPaperOut, "Carta esaurita: sostituire il rotolo della stampante."},
	{ErrCoverOpen, "Coperchio della stampante aperto: chiuderlo e riprovare."},
	{ErrCutter, "Taglierina bloccata: aprire il coperchio, liberarla e riprovare."},
	{ErrUnrecoverable, "Guasto della stampante: spegnerla e riaccenderla; se persiste chiamare l'assistenza."},
	{ErrRecoverable, "Errore temporaneo della stampante: riprovare tra qualche secondo."},
	{ErrOffline, "Stampante non pronta: controllare che sia accesa e collegata."},
	{ErrTimeout, "La stampante non risponde: controllare il cavo e l'alimentazione."},
	{ErrPaperNearEnd, "Carta in esaurimento: preparare un rotolo nuovo."},
	{ErrBadStatus, "La stampante risponde in modo non previsto: controllare il modello configurato."},
	{ErrAddress, "Stampante configurata in modo errato: controllare l'indirizzo."},
}

// Message returns the Italian sentence for the operator that explains err,
// joining the first two causes it recognises ("incomplete" + its cause).
// It never includes the logged detail.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var out string
	n := 0
	for _, m := range messages {
		if errors.Is(err, m.err) {
			if n > 0 {
				out += " "
			}
			out += m.msg
			if n++; n == 2 {
				break
			}
		}
	}
	if n == 0 {
		return "Errore della stampante: riprovare; se persiste chiamare l'assistenza."
	}
	return out
}
