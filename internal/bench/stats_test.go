package bench

import (
	"strings"
	"testing"
	"time"
)

func TestSample(t *testing.T) {
	s := Sample{5 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	if got, want := s.Median(), 2500*time.Microsecond; got != want {
		t.Errorf("Median=%v, want %v", got, want)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{50, 2 * time.Millisecond}, {75, 3 * time.Millisecond}, {99, 5 * time.Millisecond}, {100, 5 * time.Millisecond}, {1, time.Millisecond}} {
		if got := s.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v)=%v, want %v", tt.p, got, tt.want)
		}
	}
	if s[0] != 5*time.Millisecond {
		t.Errorf("the sample was sorted in place: %v", s)
	}
	var empty Sample
	if empty.Median() != 0 || empty.Percentile(99) != 0 {
		t.Error("empty sample: want zeros")
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{thousands(0), "0"}, {thousands(999), "999"}, {thousands(1000), "1,000"},
		{thousands(1234567), "1,234,567"}, {thousands(-12345), "-12,345"},
		{perSec(Rate(10000, 2*time.Second)), "5,000/s"},
		{ms(1234 * time.Microsecond), "1.23 ms"}, {ms(12345 * time.Microsecond), "12.3 ms"},
		{ms(123456 * time.Microsecond), "123 ms"}, {ratio(3, 2), "1.500×"}, {ratio(1, 0), "n/a"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	var tb Table
	tb.Machine = "2 × CPU"
	tb.Add(Row{Name: "a|b", Result: "1 ms", Target: "≤ 5 ms", Verdict: Pass})
	tb.Add(Row{Name: "c", Result: "9 ms", Target: "≤ 5 ms", Baseline: "x", Verdict: Miss})
	var b strings.Builder
	if err := tb.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	want := "Machine: 2 × CPU\n\n| benchmark | result | target | baseline (same run) | |\n|---|---|---|---|---|\n" +
		"| a\\|b | 1 ms | ≤ 5 ms | — | pass |\n| c | 9 ms | ≤ 5 ms | x | MISS |\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if m := tb.Misses(); len(m) != 1 || m[0].Name != "c" {
		t.Errorf("Misses=%v, want row c", m)
	}
}
