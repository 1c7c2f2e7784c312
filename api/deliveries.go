package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/ghttp"
)

// cursorPrefix starts delivery cursors, which look like GitHub's: v1_<id>.
const cursorPrefix = "v1_"

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	perPage, err := perPageParam(q)
	if err != nil {
		return err
	}
	var before int64
	if c := q.Get("cursor"); c != "" {
		before, err = strconv.ParseInt(strings.TrimPrefix(c, cursorPrefix), 10, 64)
		if err != nil || before <= 0 {
			return hooks.Errorf(hooks.EBADREQUEST, "Invalid cursor: %q", truncate(c, 40))
		}
	}
	list, err := s.Deliveries.FindDeliveries(r.Context(), h.ID, before, perPage+1)
	if err != nil {
		return err
	}
	if len(list) > perPage {
		list = list[:perPage]
		next := r.URL.Query()
		next.Set("per_page", strconv.Itoa(perPage))
		next.Set("cursor", fmt.Sprintf("%s%d", cursorPrefix, list[len(list)-1].ID))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.urls(r).Public, r.URL.Path, next.Encode()))
	}
	out := make([]*hooks.DeliveryJSON, 0, len(list))
	for _, d := range list {
		out = append(out, hooks.NewDeliveryJSON(d))
	}
	ghttp.JSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) findDelivery(r *http.Request) (*hooks.Hook, int64, error) {
	h, err := s.findHook(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := strconv.ParseInt(mux.Vars(r)["delivery"], 10, 64)
	if err != nil {
		return nil, 0, hooks.Errorf(hooks.ENOTFOUND, "Not Found")
	}
	return h, id, nil
}

func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request) error {
	h, id, err := s.findDelivery(r)
	if err != nil {
		return err
	}
	d, err := s.Deliveries.FindDelivery(r.Context(), h.ID, id)
	if err != nil {
		return err
	}
	j := hooks.NewDeliveryJSON(d)
	j.Request = &hooks.ExchangeJSON{Headers: nonNilMap(d.RequestHeaders), Payload: json.RawMessage(d.Payload)}
	j.Response = &hooks.ExchangeJSON{Headers: nonNilMap(d.ResponseHeaders)}
	if d.StatusCode != 0 {
		j.Response.Payload = d.ResponseBody
	}
	ghttp.JSON(w, http.StatusOK, j)
	return nil
}

// redeliver queues attempt {delivery} again: a new attempt with the same GUID.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) error {
	h, id, err := s.findDelivery(r)
	if err != nil {
		return err
	}
	if err := s.admin.Redeliver(r.Context(), h.ID, id); err != nil {
		return err
	}
	ghttp.JSON(w, http.StatusAccepted, struct{}{})
	return nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
