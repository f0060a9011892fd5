package main

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
)

// batchMean reads cmsd's /metrics and returns the mean number of
// operations per engine batch transaction and the number of batches
// (0, 0 when the metric is missing).
func batchMean(ctx context.Context, httpAddr string) (mean float64, batches int) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/metrics", nil)
	if err != nil {
		return 0, 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	var sum, count float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch name {
		case "cms_batch_operations_sum":
			sum = v
		case "cms_batch_operations_count":
			count = v
		}
	}
	if count == 0 {
		return 0, 0
	}
	return sum / count, int(count)
}
