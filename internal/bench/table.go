package bench

import (
	"fmt"
	"io"
	"strings"
)

// Verdict says how a figure compares with its target.
type Verdict string

// The verdicts of a row.
const (
	Pass Verdict = "pass"
	Miss Verdict = "MISS"
	Info Verdict = "info" // a figure without a target
)

// verdict returns Pass if ok, else Miss.
func verdict(ok bool) Verdict {
	if ok {
		return Pass
	}
	return Miss
}

// Row is one figure of the table.
type Row struct {
	Name     string // what was measured
	Result   string // the figure
	Target   string // "" when there is none
	Baseline string // what it is compared with, measured in the same run
	Verdict  Verdict
}

// Table is the benchmark results, in the order they were measured.
type Table struct {
	Machine string // nproc, CPU model, kernel
	Rows    []Row
}

// Add appends a row.
func (t *Table) Add(r Row) { t.Rows = append(t.Rows, r) }

// Misses returns the rows that missed their target.
func (t *Table) Misses() []Row {
	var list []Row
	for _, r := range t.Rows {
		if r.Verdict == Miss {
			list = append(list, r)
		}
	}
	return list
}

// WriteMarkdown writes the table as a Markdown table, machine first.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	if t.Machine != "" {
		fmt.Fprintf(&b, "Machine: %s\n\n", t.Machine)
	}
	b.WriteString("| benchmark | result | target | baseline (same run) | |\n|---|---|---|---|---|\n")
	for _, r := range t.Rows {
		target := r.Target
		if target == "" {
			target = "—"
		}
		baseline := r.Baseline
		if baseline == "" {
			baseline = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(r.Name), cell(r.Result), cell(target), cell(baseline), r.Verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes what would break a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
