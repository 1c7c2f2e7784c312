package hooks

// DeliveryJSON is GitHub's hook delivery object: the list item, plus request
// and response in the single-delivery view.
type DeliveryJSON struct {
	ID             int64         `json:"id"`
	GUID           string        `json:"guid"`
	DeliveredAt    string        `json:"delivered_at"`
	Redelivery     bool          `json:"redelivery"`
	Duration       float64       `json:"duration"`
	Status         string        `json:"status"`
	StatusCode     int           `json:"status_code"`
	Event          string        `json:"event"`
	Action         *string       `json:"action"`
	InstallationID *int64        `json:"installation_id"`
	RepositoryID   *int64        `json:"repository_id"`
	ThrottledAt    *string       `json:"throttled_at"`
	URL            string        `json:"url"`
	Request        *ExchangeJSON `json:"request,omitempty"`
	Response       *ExchangeJSON `json:"response,omitempty"`
}

// ExchangeJSON is the request or response of a delivery object.
type ExchangeJSON struct {
	Headers map[string]string `json:"headers"`
	Payload any               `json:"payload"`
}

// NewDeliveryJSON returns the list item of attempt d, without request and
// response.
func NewDeliveryJSON(d *Delivery) *DeliveryJSON {
	j := &DeliveryJSON{
		ID: d.ID, GUID: d.GUID, DeliveredAt: isoTime(d.DeliveredAt),
		Redelivery: d.Redelivery, Duration: d.Duration.Seconds(), Status: d.Status,
		StatusCode: d.StatusCode, Event: d.Event, URL: d.URL,
	}
	if d.Action != "" {
		j.Action = &d.Action
	}
	if d.RepoID != 0 {
		j.RepositoryID = &d.RepoID
	}
	return j
}
