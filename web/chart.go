package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/forgehook/forgehook/hooks"
)

// The health chart: one slot per hour of the last 24, successes as bars up
// from the middle line and failures as bars down from it, so that the two
// differ by place as well as by colour.
const (
	chartHours    = 24
	chartSlot     = 20 // width of an hour, in SVG units
	chartBar      = 14
	chartHalf     = 56 // the tallest bar
	chartBaseline = 60
	chartWidth    = chartHours * chartSlot
	chartHeight   = 2 * chartBaseline
	// maxChartAttempts bounds the attempts read for one chart.
	maxChartAttempts = 20000
)

// chart is a hook's deliveries of the last 24 hours, drawn as inline SVG
// on the server, with its text alternative.
type chart struct {
	Bars              []bar // oldest hour first
	Grid              []int // x of the lines between every 6 hours
	Succeeded, Failed int
	Width, Height     int
	Baseline          int
	Summary           string
}

// bar is one hour of the chart.
type bar struct {
	X           int
	OKY, OKH    int // the success bar, above the baseline
	FailH       int // the failure bar, below it
	Label       string
	OK, Failure int
}

// healthChart counts h's attempts of the last 24 hours per hour.
func (s *Server) healthChart(r *http.Request, h *hooks.Hook) (chart, error) {
	now := s.Now()
	start := now.Add(-chartHours * time.Hour)
	list, err := s.Deliveries.SearchDeliveries(r.Context(), hooks.DeliveryFilter{HookID: h.ID, Since: start, Limit: maxChartAttempts})
	if err != nil {
		return chart{}, err
	}
	c := chart{Width: chartWidth, Height: chartHeight, Baseline: chartBaseline, Bars: make([]bar, chartHours)}
	for _, d := range list {
		i := int(d.DeliveredAt.Sub(start) / time.Hour)
		if i < 0 || i >= chartHours {
			continue
		}
		if d.OK() {
			c.Bars[i].OK++
			c.Succeeded++
		} else {
			c.Bars[i].Failure++
			c.Failed++
		}
	}
	for i := 6; i < chartHours; i += 6 {
		c.Grid = append(c.Grid, i*chartSlot)
	}
	top := 1
	for _, b := range c.Bars {
		top = max(top, b.OK, b.Failure)
	}
	for i := range c.Bars {
		b := &c.Bars[i]
		b.X = i*chartSlot + (chartSlot-chartBar)/2
		b.OKH = scaled(b.OK, top)
		b.OKY = chartBaseline - b.OKH
		b.FailH = scaled(b.Failure, top)
		from := start.Add(time.Duration(i) * time.Hour).UTC()
		b.Label = fmt.Sprintf("%s to %s UTC: %d succeeded, %d failed",
			from.Format("15:04"), from.Add(time.Hour).Format("15:04"), b.OK, b.Failure)
	}
	c.Summary = fmt.Sprintf("In the last 24 hours, %d deliveries succeeded and %d failed.", c.Succeeded, c.Failed)
	if c.Succeeded+c.Failed == 0 {
		c.Summary = "No deliveries in the last 24 hours."
	}
	return c, nil
}

// scaled returns the height of a bar of n when top is the largest; any
// attempt at all gets at least 2 units, to be seen.
func scaled(n, top int) int {
	if n == 0 {
		return 0
	}
	return max(n*chartHalf/top, 2)
}
