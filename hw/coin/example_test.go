package coin_test

import (
	"fmt"
	"time"

	"cnskiosk.dev/hw/coin"
)

// A 50-cent coin is five 20 ms pulses, 100 ms apart; the train closes
// 400 ms after the last pulse.
func ExampleDecoder() {
	d, err := coin.NewDecoder(coin.Config{})
	if err != nil {
		panic(err)
	}
	t := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		start := t.Add(time.Duration(i) * 120 * time.Millisecond)
		d.Edge(true, start)
		d.Edge(false, start.Add(20*time.Millisecond))
	}
	for _, e := range d.Tick(t.Add(time.Second)) {
		if e.Kind == coin.EventTrain {
			fmt.Println(e.Kind, e.Train.Count, "pulses,", e.Train.Cents, "cents")
		}
	}
	// Output: train 5 pulses, 50 cents
}
