package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// tableWidth is the terminal width every table fits.
const tableWidth = 80

// column is one column of a table: its heading and the width it may be cut
// down to (0: never cut) when the table would be wider than tableWidth.
// The caps of a table leave it at most tableWidth wide.
type column struct {
	Name string
	Max  int
}

// table writes rows as aligned columns two spaces apart that fit an
// 80-column terminal without wrapping: when the rows are too wide, the
// columns furthest over their caps are cut, with "…", until they fit. Tabs
// and newlines in a cell become spaces.
type table struct {
	w    io.Writer
	cols []column
	rows [][]string
}

func newTable(w io.Writer, cols ...column) *table {
	t := &table{w: w, cols: cols}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	t.Row(names...)
	return t
}

// Row adds a row; missing cells are empty.
func (t *table) Row(cells ...string) {
	row := make([]string, len(t.cols))
	for i := range row {
		if i < len(cells) {
			row[i] = cellSpaces.Replace(cells[i])
		}
	}
	t.rows = append(t.rows, row)
}

// Flush writes the table.
func (t *table) Flush() error {
	widths := t.widths()
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	for _, row := range t.rows {
		for i := range row {
			row[i] = cut(row[i], widths[i])
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// widths returns each column's width: the widest cell, less what the table
// is over tableWidth, taken from the columns with the most room above
// their caps.
func (t *table) widths() []int {
	widths := make([]int, len(t.cols))
	total := 2 * (len(t.cols) - 1)
	for i := range t.cols {
		for _, row := range t.rows {
			widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
		}
		total += widths[i]
	}
	for over := total - tableWidth; over > 0; over-- {
		most, room := -1, 0
		for i, c := range t.cols {
			if r := widths[i] - c.Max; c.Max > 0 && r > room {
				most, room = i, r
			}
		}
		if most < 0 {
			break // every column is at its cap
		}
		widths[most]--
	}
	return widths
}

var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// cut returns s at most max characters long, ending in "…" if it was longer.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
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
