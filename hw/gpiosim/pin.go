package gpiosim

import (
	"sync"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// edgeBuffer is how many edges may wait for the reader, like the kernel's
// line event buffer.
const edgeBuffer = 256

// Pin is a gpiotest.Pin that reports when the code under test armed edge
// detection with In, after which edges sent on EdgesChan are kept.
type Pin struct {
	*gpiotest.Pin
	once  sync.Once
	armed chan struct{}
}

// NewPin returns a fake line with an edge channel and a real clock set up
// front (gpiotest sets it lazily without a lock otherwise). Under
// testing/synctest the real clock is the bubble's virtual clock.
func NewPin(name string, num int) *Pin {
	return &Pin{
		Pin: &gpiotest.Pin{
			N: name, Num: num,
			Clock:     clockwork.NewRealClock(),
			EdgesChan: make(chan gpio.Level, edgeBuffer),
		},
		armed: make(chan struct{}),
	}
}

// In implements gpio.PinIn and marks the pin armed once edge detection is on.
func (p *Pin) In(pull gpio.Pull, edge gpio.Edge) error {
	if err := p.Pin.In(pull, edge); err != nil {
		return err
	}
	if edge != gpio.NoEdge {
		p.once.Do(func() { close(p.armed) })
	}
	return nil
}

// Armed is closed once the code under test enabled edge detection.
func (p *Pin) Armed() <-chan struct{} { return p.armed }

var _ gpio.PinIO = (*Pin)(nil)
