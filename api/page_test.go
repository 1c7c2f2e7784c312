package api

import (
	"net/url"
	"testing"
)

// TestPerPageParam checks GitHub's reading of per_page: absent, zero or
// negative is the default 30; over 100 is 100; not a number is an error.
func TestPerPageParam(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		err  bool
	}{{"", 30, false}, {"0", 30, false}, {"-5", 30, false}, {"1", 1, false}, {"100", 100, false}, {"101", 100, false}, {"x", 0, true}} {
		got, err := perPageParam(url.Values{"per_page": {tt.in}})
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("per_page=%q: %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
