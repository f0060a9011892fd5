package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// cpuWatch measures, over the load phase, the CPU used by each process of
// the stack, in percent of one core, and how busy the whole machine was.
type cpuWatch struct {
	mu    sync.Mutex // pids and carry change when cmsd is restarted
	pids  map[string]int
	carry map[string]uint64 // ticks of processes killed during the load
	start map[string]uint64
	pg0   map[int]uint64 // postgres processes by pid
	busy0 uint64
	tot0  uint64
	t0    time.Time
}

// cpuShare is one process's CPU over the load phase.
type cpuShare struct {
	Name string
	Core float64 // percent of one core
}

var cpuOrder = []string{"cmsd", "loadgen", "mosquitto", "postgres"}

func (w *cpuWatch) ticks(name string) uint64 {
	w.mu.Lock()
	pid, carry := w.pids[name], w.carry[name]
	w.mu.Unlock()
	return carry + procTicks(pid)
}

// replace counts the CPU of process name, about to be killed, and follows
// its successor from now on: restart with pid 0 until it is running.
func (w *cpuWatch) replace(name string, pid int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.carry[name] += procTicks(w.pids[name])
	w.pids[name] = pid
}

func startCPU(pids map[string]int) *cpuWatch {
	w := &cpuWatch{pids: pids, carry: map[string]uint64{}, start: map[string]uint64{}}
	w.pids["loadgen"] = os.Getpid()
	for _, n := range cpuOrder {
		w.start[n] = w.ticks(n)
	}
	w.pg0 = commTicks("postgres")
	w.busy0, w.tot0 = machineTicks()
	w.t0 = time.Now()
	return w
}

// stop fills rep's CPU shares.
func (w *cpuWatch) stop(rep *report) {
	sec := time.Since(w.t0).Seconds()
	if sec <= 0 {
		return
	}
	for _, n := range cpuOrder {
		if n == "mosquitto" && w.pids[n] == 0 {
			continue
		}
		var d float64
		if n == "postgres" {
			d = float64(growth(w.pg0, commTicks("postgres")))
		} else {
			d = float64(w.ticks(n) - w.start[n])
		}
		rep.CPU = append(rep.CPU, cpuShare{Name: n, Core: 100 * d / clockTicks / sec})
	}
	busy, tot := machineTicks()
	if tot > w.tot0 {
		rep.MachineBusy = 100 * float64(busy-w.busy0) / float64(tot-w.tot0)
	}
}

// growth sums the ticks each process of now gained since then (all of
// them for a process started since, or a pid reused). A process that
// exited in between, such as a database backend whose connection closed,
// is not in now: its last ticks are lost, rather than the whole sum going
// backwards.
func growth(then, now map[int]uint64) uint64 {
	var n uint64
	for pid, t := range now {
		if t0, ok := then[pid]; ok && t0 <= t {
			t -= t0
		}
		n += t
	}
	return n
}

func (r *report) printCPU(w io.Writer) {
	if len(r.CPU) == 0 {
		return
	}
	fmt.Fprint(w, "cpu during the load (% of one core):")
	for _, c := range r.CPU {
		fmt.Fprintf(w, " %s %.0f%%", c.Name, c.Core)
	}
	fmt.Fprintf(w, "; machine busy %.0f%% of all cores\n", r.MachineBusy)
}
