package metrics

// NewCounter registers a counter without labels.
func (r *Registry) NewCounter(name, help string) (*Counter, error) {
	f, err := r.add(name, help, kindCounter, nil, nil)
	if err != nil {
		return nil, err
	}
	c, _ := f.child(nil)
	return c.(*Counter), nil
}

// NewGauge registers a gauge without labels.
func (r *Registry) NewGauge(name, help string) (*Gauge, error) {
	f, err := r.add(name, help, kindGauge, nil, nil)
	if err != nil {
		return nil, err
	}
	g, _ := f.child(nil)
	return g.(*Gauge), nil
}

// NewHistogram registers a histogram without labels; nil buckets = DefBuckets.
func (r *Registry) NewHistogram(name, help string, buckets []float64) (*Histogram, error) {
	f, err := r.add(name, help, kindHistogram, nil, buckets)
	if err != nil {
		return nil, err
	}
	h, _ := f.child(nil)
	return h.(*Histogram), nil
}

// CounterVec is a counter family partitioned by labels.
type CounterVec struct{ f *family }

// NewCounterVec registers a counter family with the given label names.
func (r *Registry) NewCounterVec(name, help string, labels ...string) (*CounterVec, error) {
	f, err := r.add(name, help, kindCounter, labels, nil)
	if err != nil {
		return nil, err
	}
	return &CounterVec{f}, nil
}

// With returns the counter for these label values, in label order. A wrong
// number of values returns a detached counter (counted nowhere) rather than panic.
func (v *CounterVec) With(values ...string) *Counter {
	c, err := v.f.child(values)
	if err != nil {
		return &Counter{}
	}
	return c.(*Counter)
}

// GaugeVec is a gauge family partitioned by labels.
type GaugeVec struct{ f *family }

// NewGaugeVec registers a gauge family with the given label names.
func (r *Registry) NewGaugeVec(name, help string, labels ...string) (*GaugeVec, error) {
	f, err := r.add(name, help, kindGauge, labels, nil)
	if err != nil {
		return nil, err
	}
	return &GaugeVec{f}, nil
}

// With returns the gauge for these label values.
func (v *GaugeVec) With(values ...string) *Gauge {
	g, err := v.f.child(values)
	if err != nil {
		return &Gauge{}
	}
	return g.(*Gauge)
}

// HistogramVec is a histogram family partitioned by labels.
type HistogramVec struct{ f *family }

// NewHistogramVec registers a histogram family; nil buckets = DefBuckets.
func (r *Registry) NewHistogramVec(name, help string, buckets []float64, labels ...string) (*HistogramVec, error) {
	f, err := r.add(name, help, kindHistogram, labels, buckets)
	if err != nil {
		return nil, err
	}
	return &HistogramVec{f}, nil
}

// With returns the histogram for these label values.
func (v *HistogramVec) With(values ...string) *Histogram {
	h, err := v.f.child(values)
	if err != nil {
		return newHistogram(v.f.buckets)
	}
	return h.(*Histogram)
}
