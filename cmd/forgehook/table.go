package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// column is one column of a table: its heading and the most characters a
// cell may take (0: no cap). Caps are chosen so that every table fits an
// 80-column terminal.
type column struct {
	Name string
	Max  int
}

// table writes rows as aligned columns two spaces apart, without wrapping:
// a cell longer than its column's cap is cut with "…", and tabs and
// newlines in a cell become spaces.
type table struct {
	cols []column
	tw   *tabwriter.Writer
}

func newTable(w io.Writer, cols ...column) *table {
	t := &table{cols: cols, tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	t.Row(names...)
	return t
}

// Row adds a row; missing cells are empty.
func (t *table) Row(cells ...string) {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		if i < len(cells) {
			out[i] = cut(cells[i], c.Max)
		}
	}
	fmt.Fprintln(t.tw, strings.Join(out, "\t"))
}

// Flush writes the table.
func (t *table) Flush() error { return t.tw.Flush() }

var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// cut returns s on one line, at most max characters long (0: any length).
func cut(s string, max int) string {
	s = cellSpaces.Replace(s)
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// ago says how long before now t was, in the largest unit that fits:
// "45s ago", "12m ago", "5h ago", "3d ago"; past a month, the day ("Jan 02").
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", max(int(d.Seconds()), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	case d < 30*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
	return t.Local().Format("Jan 02")
}

// took shows a duration in at most five characters: "0ms", "12ms", "1.2s", "12s", "3m".
func took(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < 100*time.Second:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}
