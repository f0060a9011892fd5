module cnskiosk.dev/hw

go 1.26.0

require (
	cnskiosk.dev/shared v0.0.0
	github.com/ebfe/scard v0.0.0-20241214075232-7af069cabc25
	github.com/jonboulle/clockwork v0.5.0
	github.com/skip2/go-qrcode v0.0.0-20200617195104-da1b6568686e
	golang.org/x/image v0.48.0
	golang.org/x/sys v0.50.0
	golang.org/x/text v0.44.0
	periph.io/x/conn/v3 v3.7.3
	periph.io/x/host/v3 v3.8.5
)

require github.com/oklog/ulid/v2 v2.1.1 // indirect

replace cnskiosk.dev/shared => ../shared
