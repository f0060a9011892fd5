// Package gcfloor keeps the Go garbage collector's heap goal from falling
// below a floor.
//
// With GOGC=100 the collector runs whenever the heap has grown by as much
// as is live. A cmsd on an external broker keeps little live (20-30 MiB),
// so under load it collected every few milliseconds: measured at 4,000
// operations/s, GC marking and allocation slow-paths were a fifth of its
// CPU, and the first second of a burst, when the heap is smallest, had an
// ack p99 of 100-200 ms against 15-30 ms once warm. A higher GOGC fixes
// that but multiplies a large heap too: the embedded broker holds ~60 KiB
// per connected kiosk, and GOGC=400 would let 5,000 idle kiosks cost five
// times their live memory. The floor raises GOGC only while the live heap
// is small (the goal is then the floor) and gives the default back as it
// grows past it: a small process trades a bounded amount of memory for
// fewer collections, a large one behaves as before.
//
// GOGC is computed again after every collection, when the live heap is
// known, and every 250 ms. The heap goal is then about the larger of the
// floor and twice the live heap, plus Go's usual share for goroutine
// stacks and globals; memory is not capped (GOMEMLIMIT does that).
//
// An explicit GOGC in the environment wins: Start then does nothing.
package gcfloor
